/// Random expression trees for property tests: built through the canonical constructors and,
/// independently, evaluated naively, so simplification can be checked against plain arithmetic.
module Stlp.Model.Tests.RandomExpr

open System
open FsCheck
open FsCheck.FSharp
open Stlp.Model

type Tree =
    | Var of string
    | Par of string
    | Int of int
    | Frac of int * int
    | Flt of float
    | Add of Tree * Tree
    | Sub of Tree * Tree
    | Mul of Tree * Tree
    /// a / (1 + b^2): never divides by zero.
    | SafeDiv of Tree * Tree
    | PowI of Tree * int
    | Fun of string * Tree

let vars = [ "x"; "y"; "z" ]
let parameters = [ "p" ]

let symbolOf name =
    if name = "p" then
        { Name = name; Kind = Parameter }
    else
        { Name = name; Kind = Coordinate }

/// Functions whose argument is made safe where needed (log and sqrt of 1 + a^2).
let functions = [ "exp"; "log"; "sqrt"; "sin"; "cos"; "tanh"; "sigmoid"; "softplus" ]

let rec build (t: Tree) : Expr =
    match t with
    | Var n -> Expr.symbol (symbolOf n)
    | Par n -> Expr.symbol (symbolOf n)
    | Int k -> Expr.ofInt k
    | Frac(p, q) -> Expr.num (Rational.Create(bigint p, bigint q))
    | Flt x -> Expr.real x
    | Add(a, b) -> Expr.add2 (build a) (build b)
    | Sub(a, b) -> Expr.sub (build a) (build b)
    | Mul(a, b) -> Expr.mul2 (build a) (build b)
    | SafeDiv(a, b) -> Expr.div (build a) (Expr.add2 Expr.one (Expr.sqr (build b)))
    | PowI(a, k) -> Expr.powi (build a) k
    | Fun(("log" | "sqrt") as f, a) -> Functions.apply f [| Expr.add2 Expr.one (Expr.sqr (build a)) |]
    | Fun(f, a) -> Functions.apply f [| build a |]

let rec naive (env: string -> float) (t: Tree) : float =
    let r = naive env

    match t with
    | Var n
    | Par n -> env n
    | Int k -> float k
    | Frac(p, q) -> float p / float q
    | Flt x -> x
    | Add(a, b) -> r a + r b
    | Sub(a, b) -> r a - r b
    | Mul(a, b) -> r a * r b
    | SafeDiv(a, b) -> r a / (1.0 + r b * r b)
    | PowI(a, k) -> Math.Pow(r a, float k)
    | Fun(("log" | "sqrt") as f, a) -> (Functions.find f).Eval [| 1.0 + r a * r a |]
    | Fun(f, a) -> (Functions.find f).Eval [| r a |]

let private leaf =
    Gen.oneof [
        Gen.elements vars |> Gen.map Var
        Gen.elements parameters |> Gen.map Par
        Gen.choose (-4, 4) |> Gen.map Int
        Gen.map2 (fun p q -> Frac(p, q)) (Gen.choose (-5, 5)) (Gen.choose (1, 6))
        Gen.choose (-300, 300) |> Gen.map (fun k -> Flt(float k / 100.0))
    ]

let rec private tree size =
    if size <= 0 then
        leaf
    else
        let sub = tree (size / 2)

        Gen.frequency [
            2, leaf
            2, Gen.map2 (fun a b -> Add(a, b)) sub sub
            1, Gen.map2 (fun a b -> Sub(a, b)) sub sub
            2, Gen.map2 (fun a b -> Mul(a, b)) sub sub
            1, Gen.map2 (fun a b -> SafeDiv(a, b)) sub sub
            1, Gen.map2 (fun a k -> PowI(a, k)) sub (Gen.choose (-2, 3))
            2, Gen.map2 (fun f a -> Fun(f, a)) (Gen.elements functions) sub
        ]

/// A point where every variable is between 0.3 and 1.7 in absolute value (away from 0, where
/// negative powers blow up).
type Point = { Values: Map<string, float> }

let private point =
    Gen.listOfLength
        4
        (Gen.map2
            (fun (k: int) s -> (if s then 1.0 else -1.0) * (0.3 + float k / 1000.0))
            (Gen.choose (0, 1400))
            (Gen.elements [ true; false ]))
    |> Gen.map (fun xs -> {
        Values = Map.ofList (List.zip (vars @ parameters) xs)
    })

type Generators =
    static member Tree() =
        Arb.fromGen (Gen.sized (fun s -> tree (min s 12)))

    static member Point() = Arb.fromGen point

let valuesAt (p: Point) =
    Evaluate.ofMaps (p.Values |> Map.toSeq |> Seq.map (fun (k, v) -> symbolOf k, v) |> Map.ofSeq) Map.empty

/// Finite, and not so large that relative comparisons lose meaning.
let tame (x: float) = Double.IsFinite x && abs x < 1e6

let close (tol: float) (a: float) (b: float) =
    abs (a - b) <= tol * (1.0 + max (abs a) (abs b))
