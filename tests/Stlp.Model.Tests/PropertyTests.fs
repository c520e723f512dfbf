/// Seeded property tests over random expressions: derivatives against finite differences,
/// simplification against plain arithmetic, idempotence, and printing against parsing.
module Stlp.Model.Tests.PropertyTests

open FsCheck.Xunit
open Stlp.Model
open Stlp.Model.Tests.RandomExpr

let private names =
    (vars |> List.map (fun v -> v, BoundSymbol(symbolOf v)))
    @ (parameters |> List.map (fun p -> p, BoundSymbol(symbolOf p)))
    |> Map.ofList

[<Property(Arbitrary = [| typeof<Generators> |], MaxTest = 300, Replay = "12345,67891")>]
let ``simplification preserves value`` (tree: Tree) (p: Point) =
    let expected = naive (fun v -> p.Values.[v]) tree
    let actual = Evaluate.eval (valuesAt p) (build tree)
    not (tame expected) || close 1e-9 expected actual

[<Property(Arbitrary = [| typeof<Generators> |], MaxTest = 300, Replay = "2468,1357")>]
let ``simplification is idempotent`` (tree: Tree) =
    let e = build tree
    // Rebuilding every node through the canonical constructors gives back the same object.
    let rebuilt =
        Calculus.substituteMany (System.Collections.Generic.Dictionary<Expr, Expr>()) [ e ]

    obj.ReferenceEquals(e, List.head rebuilt)

[<Property(Arbitrary = [| typeof<Generators> |], MaxTest = 300, Replay = "1111,2223")>]
let ``derivative matches a central finite difference`` (tree: Tree) (p: Point) =
    let e = build tree
    let x = symbolOf "x"
    let derivative = Evaluate.eval (valuesAt p) (Calculus.diff x e)
    let x0 = p.Values.["x"]
    let h = 1e-5 * max 1.0 (abs x0)

    let at v =
        Evaluate.eval (valuesAt { Values = p.Values.Add("x", v) }) e

    let fd = (at (x0 + h) - at (x0 - h)) / (2.0 * h)
    not (tame derivative && tame (at x0) && tame fd) || close 1e-5 fd derivative

[<Property(Arbitrary = [| typeof<Generators> |], MaxTest = 300, Replay = "999,887")>]
let ``printed text parses back to the same expression`` (tree: Tree) =
    let e = build tree
    let back = Resolve.parseExpression names (Print.text e)
    obj.ReferenceEquals(e, back)

[<Property(Arbitrary = [| typeof<Generators> |], MaxTest = 100, Replay = "4242,2425")>]
let ``time derivative along a trajectory matches a finite difference`` (tree: Tree) (p: Point) =
    // q(t) = q0 + v t for each coordinate, evaluated at t = 0.
    let e = build tree
    let velocity = Map.ofList [ "x", 0.7; "y", -0.4; "z", 1.1 ]
    let d = Calculus.timeDerivative e

    let env (s: float) =
        let values =
            p.Values
            |> Map.map (fun k v ->
                match velocity.TryFind k with
                | Some u -> v + u * s
                | None -> v)

        let syms =
            (values |> Map.toSeq |> Seq.map (fun (k, v) -> symbolOf k, v) |> List.ofSeq)
            @ (velocity
               |> Map.toList
               |> List.map (fun (k, u) -> { Name = k; Kind = Velocity }, u))

        Evaluate.ofMaps (Map.ofList syms) Map.empty

    let h = 1e-5
    let fd = (Evaluate.eval (env h) e - Evaluate.eval (env -h) e) / (2.0 * h)
    let exact = Evaluate.eval (env 0.0) d

    not (tame exact && tame fd && tame (Evaluate.eval (env 0.0) e))
    || close 1e-5 fd exact

[<Property(Arbitrary = [| typeof<Generators> |], MaxTest = 300, Replay = "5151,7373")>]
let ``reverse-mode gradient equals forward derivatives`` (tree: Tree) (p: Point) =
    let e = build tree
    let syms = vars @ parameters |> List.map symbolOf
    let reverse = Calculus.gradientReverse e syms
    let values = valuesAt p

    List.forall2
        (fun (s: Symbol) (g: Expr) ->
            let forward = Evaluate.eval values (Calculus.diff s e)
            let backward = Evaluate.eval values g
            not (tame forward) || close 1e-9 forward backward)
        syms
        reverse
