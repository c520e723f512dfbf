/// Canonical forms, printed: the tests read like the mathematics they check.
module Stlp.Model.Tests.ExprTests

open System
open Xunit
open Stlp.Model
open Stlp.Model.Dsl

let x, y, w = coord "x", coord "y", coord "w"
let theta = param "theta"

[<Fact>]
let ``structurally equal expressions are the same object`` () =
    let a = tanh (w * x) + ratio 1 2 * sqr (y - n 3)
    let b = ratio 1 2 * sqr (y - n 3) + tanh (x * w)
    Assert.Same(a, b)
    Assert.Equal(a.Id, b.Id)

[<Fact>]
let ``like terms and like bases are collected`` () =
    Assert.Equal("5*x", Print.text (n 2 * x + n 3 * x))
    Assert.Equal("x^2", Print.text (x * x))
    Assert.Equal("1", Print.text (x / x))
    Assert.Equal("0", Print.text (x - x))
    Assert.Equal("y*x^5", Print.text (x ** 2 * y * x ** 3))

[<Fact>]
let ``identities for zero and one`` () =
    Assert.Same(x, x + n 0)
    Assert.Same(x, x * n 1)
    Assert.Same(Expr.zero, x * n 0)
    Assert.Same(Expr.one, x ** 0)
    Assert.Same(x, x ** 1)

[<Fact>]
let ``exact rationals stay exact, decimals are floating`` () =
    Assert.Equal("5/6", Print.text (ratio 1 2 + ratio 1 3))
    Assert.Equal("0.5*x", Print.text (real 0.5 * x))
    Assert.Equal("1.25", Print.text (real 0.5 + ratio 3 4))

[<Fact>]
let ``exponentials of a sum merge, so the dissipation cancels symbolically`` () =
    let varpi = exp (theta * t)
    Assert.Same(x, varpi * x / varpi)
    Assert.Equal("exp(2*t*theta)", Print.text (varpi * varpi))

[<Fact>]
let ``functions fold at their exact points`` () =
    Assert.Same(Expr.zero, tanh (n 0))
    Assert.Same(Expr.one, exp (n 0))
    Assert.Same(x, log (exp x))
    Assert.Equal("tanh(3)", Print.text (tanh (n 3)))

    Assert.Equal(
        Math.Tanh 0.5,
        (match (tanh (real 0.5)).Node with
         | Real v -> v
         | _ -> nan),
        15
    )

[<Fact>]
let ``derivatives of the paper's neuron`` () =
    let g = x - tanh (w * y)
    let wSym = { Name = "w"; Kind = Coordinate }
    Assert.Equal("-y*(1 - tanh(w*y)^2)", Print.text (d wSym g))

[<Fact>]
let ``total time derivative includes velocities and signal derivatives`` () =
    let g = x - signal "e"
    Assert.Equal("x' - e'(t)", Print.text (dt g))
    Assert.Equal("e''(t)", Print.text (dt (dt (signal "e"))))

[<Fact>]
let ``hessian is symmetric and jacobian has one row per expression`` () =
    let xs = [ { Name = "x"; Kind = Coordinate }; { Name = "w"; Kind = Coordinate } ]
    let h = Calculus.hessian (tanh (w * x)) xs
    Assert.Same(h.[0, 1], h.[1, 0])
    let j = Calculus.jacobian [ x * w; sqr x ] xs
    Assert.Equal(2, j.GetLength 0)
    Assert.Equal("2*x", Print.text j.[1, 0])

[<Fact>]
let ``latex uses the paper's symbols`` () =
    let e = exp (theta * t) * sqr (coord "x2" - tanh (n 3)) / n 2
    Assert.Equal("\\frac{\\left(x_{2} - \\tanh\\left(3\\right)\\right)^{2} e^{t \\theta}}{2}", Print.latex e)
    Assert.Equal("\\dot{x}_{1}", Print.latex (Expr.sym "x1" Velocity))

[<Fact>]
let ``derivative of a deep composition grows linearly`` () =
    let depth k =
        Seq.fold (fun acc _ -> tanh acc) x (seq { 1..k })

    let xSym = { Name = "x"; Kind = Coordinate }
    let size k = Calculus.dagSize [ d xSym (depth k) ]
    // Each extra tanh adds a constant number of nodes to the derivative.
    let a, b, c = size 50, size 100, size 200
    Assert.Equal(b - a, (c - b) / 2)
    Assert.True(c < 10 * 200, $"derivative DAG of a 200-deep composition has {c} nodes")

/// Nodes plus child references: the real size of a DAG with n-ary nodes.
let private edges (e: Expr) =
    Calculus.topological [ e ]
    |> List.sumBy (fun n -> 1 + (Calculus.children n).Length)

[<Fact>]
let ``derivative of a deep composition has linearly many edges too`` () =
    let depth k =
        Seq.fold (fun acc _ -> tanh acc) x (seq { 1..k })

    let xSym = { Name = "x"; Kind = Coordinate }
    let a, b = edges (d xSym (depth 200)), edges (d xSym (depth 400))
    // Without the bound on product flattening this ratio is about 4.
    Assert.InRange(float b / float a, 1.9, 2.1)

[<Fact>]
let ``a long chain-rule product prints and parses back to the same object`` () =
    let e = Seq.fold (fun acc _ -> tanh acc) x (seq { 1..40 })
    let de = d { Name = "x"; Kind = Coordinate } e
    let names = Map.ofList [ "x", BoundSymbol { Name = "x"; Kind = Coordinate } ]
    Assert.Same(de, Resolve.parseExpression names (Print.text de))
