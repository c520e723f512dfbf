/// The F# DSL: `open Stlp.Model.Dsl`, then write models as formulas.
///
///     let x1, x2, w = coord "x1", coord "x2", coord "w"
///     model "fig3b" {| ... |}
///
/// The function names shadow F#'s numeric ones (tanh, exp, ...) with their symbolic versions.
module Stlp.Model.Dsl

let t = Calculus.timeExpr
let coord name = Expr.sym name Coordinate
let param name = Expr.sym name Parameter
/// e(t) for a declared signal `e`.
let signal name = Expr.signal name 0
/// The k-th time derivative of a signal.
let signalDerivative name k = Expr.signal name k
/// An exact integer.
let n (k: int) = Expr.ofInt k

/// An exact ratio p/q.
let ratio (p: int) (q: int) =
    Expr.num (Rational.Create(bigint p, bigint q))

/// A floating constant.
let real (x: float) = Expr.real x

let exp x = Functions.exp x
let log x = Functions.log x
let sqrt x = Functions.sqrt x
let sin x = Functions.sin x
let cos x = Functions.cos x
let tanh x = Functions.tanh x
let sigmoid x = Functions.sigmoid x
let softplus x = Functions.softplus x
let sqr x = Expr.sqr x
let sum (xs: Expr seq) = Expr.add xs

let d (x: Symbol) (e: Expr) = Calculus.diff x e
let dt (e: Expr) = Calculus.timeDerivative e

/// Starts a model; chain the builder's methods.
let model name = ModelBuilder(name)

/// A feedforward network specification with defaults (tanh, masses 1, random weights seed 1).
let feedforward name (sizes: int list) = NetworkSpec.Create(name, Layers sizes)

/// A digraph network specification.
let digraph name (edges: (string * string) list) =
    let vertices = edges |> List.collect (fun (a, b) -> [ a; b ]) |> List.distinct
    NetworkSpec.Create(name, Graph(vertices, edges))
