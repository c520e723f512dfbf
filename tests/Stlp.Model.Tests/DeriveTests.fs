/// The derived constrained Euler-Lagrange system checked three ways: against closed forms
/// derived by hand from the paper's equations, against a purely numerical route (finite
/// differences of the Lagrangian and constraints), and raw against normalized multipliers.
module Stlp.Model.Tests.DeriveTests

open System
open MathNet.Numerics.LinearAlgebra
open Xunit
open Stlp.Model
open Stlp.Model.Tests.ParserTests

let private derived (m: Model) =
    // Without the model's own drift control: the numerical route below is the plain (MULT).
    let d = Derive.derive (Some NoStabilization) m
    d, FormulaSignals m

let private relClose (tol: float) (expected: float) (actual: float) =
    Assert.True(abs (expected - actual) <= tol * (1.0 + abs expected), $"expected {expected}, got {actual}")

let private randomStates (n: int) (seed: int) (count: int) =
    let rng = Random(seed)
    let u a b = a + (b - a) * rng.NextDouble()

    [
        for _ in 1..count ->
            {
                T = u 0.0 3.0
                Q = Array.init n (fun _ -> u -1.5 1.5)
                Qdot = Array.init n (fun _ -> u -1.0 1.0)
            }
    ]

// ---- closed forms, by hand ----

[<Fact>]
let ``fig2: the multiplier and accelerations match the hand-derived closed form`` () =
    let m = load "fig2a.stlp"
    let d, sg = derived m
    let theta = 1.0

    for s in randomStates 2 11 200 do
        let x, w = s.Q.[0], s.Q.[1]
        let xd, wd = s.Qdot.[0], s.Qdot.[1]
        let e = 3.0 * (1.0 - exp (-s.T))
        let e1 = 3.0 * exp (-s.T)
        let e2 = -3.0 * exp (-s.T)
        // G = x - w e: G_q = (1, -e), gamma = -w e'' - 2 e' wdot, M = I.
        let gamma = -w * e2 - 2.0 * e1 * wd
        let a = 1.0 + e * e
        let b = -theta * (xd - e * wd) - (x - 3.0) + gamma
        let lambda = b / a
        let ev = Numerics.evaluate d sg m.ParameterValues s
        relClose 1e-12 lambda ev.LambdaNormalized.[0]
        relClose 1e-12 (-theta * xd - (x - 3.0) - lambda) ev.Qddot.[0]
        relClose 1e-12 (-theta * wd + e * lambda) ev.Qddot.[1]

[<Fact>]
let ``fig3b: multipliers and accelerations match the hand-derived closed form`` () =
    let m = load "fig3b.stlp"
    let d, sg = derived m
    let theta, c = 1.0, 1.0
    let t3 = tanh 3.0

    for s in randomStates 3 12 200 do
        let x1, x2, w = s.Q.[0], s.Q.[1], s.Q.[2]
        let x1d, x2d, wd = s.Qdot.[0], s.Qdot.[1], s.Qdot.[2]
        let e2 = -3.0 * exp (-s.T)
        let th = tanh (w * x1)
        let sp = 1.0 - th * th
        let adot = wd * x1 + w * x1d
        // V = (x2 - tanh 3)^2/2 + c (x2 - tanh(w x1))^2/2 and its gradient.
        let vq = [|
            -c * (x2 - th) * sp * w
            (x2 - t3) + c * (x2 - th)
            -c * (x2 - th) * sp * x1
        |]
        // G1 = x1 - e, G2 = x2 - tanh(w x1).
        let g1 = [| 1.0; 0.0; 0.0 |]
        let g2 = [| -sp * w; 1.0; -sp * x1 |]
        let gamma1 = -e2
        let gamma2 = 2.0 * th * sp * adot * adot - 2.0 * sp * wd * x1d

        let dot (u: float[]) (v: float[]) =
            Array.fold2 (fun acc a b -> acc + a * b) 0.0 u v
        // (G_q G_q') lambda~ = -theta G_q qdot - G_q V_q + gamma, by Cramer's rule.
        let a11, a12, a22 = dot g1 g1, dot g1 g2, dot g2 g2
        let b1 = -theta * dot g1 s.Qdot - dot g1 vq + gamma1
        let b2 = -theta * dot g2 s.Qdot - dot g2 vq + gamma2
        let det = a11 * a22 - a12 * a12
        let l1 = (b1 * a22 - a12 * b2) / det
        let l2 = (a11 * b2 - a12 * b1) / det
        let ev = Numerics.evaluate d sg m.ParameterValues s
        relClose 1e-12 l1 ev.LambdaNormalized.[0]
        relClose 1e-12 l2 ev.LambdaNormalized.[1]

        for i in 0..2 do
            let expected = -theta * s.Qdot.[i] - vq.[i] - (g1.[i] * l1 + g2.[i] * l2)
            relClose 1e-12 expected ev.Qddot.[i]

// ---- the purely numerical route ----

/// H, f, G_q and gamma by finite differences of L and G evaluated numerically; the raw
/// multipliers and accelerations solved from them with dense linear algebra.
let private numericalRoute (d: Derivation) (sg: FormulaSignals) (ps: Map<string, float>) (s: State) =
    let n, r = d.N, d.R

    let eval (e: Expr) (t: float) (q: float[]) (qd: float[]) =
        let values = Collections.Generic.Dictionary<Symbol, float>()
        d.Q |> Array.iteri (fun i x -> values.[x] <- q.[i])
        d.Qdot |> Array.iteri (fun i x -> values.[x] <- qd.[i])
        Evaluate.eval (sg.Values(t, ps, values)) e

    let bump (a: float[]) i h =
        Array.mapi (fun k v -> if k = i then v + h else v) a

    let h = 1e-4
    let l t q qd = eval d.Lagrangian t q qd
    // p_i(t, q, qdot) = dL/dqdot_i by a central difference.
    let p i t q qd =
        (l t q (bump qd i h) - l t q (bump qd i -h)) / (2.0 * h)

    let hm =
        Matrix<float>.Build
            .Dense(n, n, fun i j -> (p i s.T s.Q (bump s.Qdot j h) - p i s.T s.Q (bump s.Qdot j -h)) / (2.0 * h))

    let f =
        Vector<float>.Build
            .Dense(
                n,
                fun i ->
                    let dLdq = (l s.T (bump s.Q i h) s.Qdot - l s.T (bump s.Q i -h) s.Qdot) / (2.0 * h)
                    let dpdt = (p i (s.T + h) s.Q s.Qdot - p i (s.T - h) s.Q s.Qdot) / (2.0 * h)

                    let mixed =
                        Seq.sum (
                            seq {
                                for j in 0 .. n - 1 ->
                                    (p i s.T (bump s.Q j h) s.Qdot - p i s.T (bump s.Q j -h) s.Qdot) / (2.0 * h)
                                    * s.Qdot.[j]
                            }
                        )

                    dLdq - dpdt - mixed
            )

    let gq =
        Matrix<float>.Build
            .Dense(
                r,
                n,
                fun j i ->
                    (eval d.G.[j] s.T (bump s.Q i h) s.Qdot - eval d.G.[j] s.T (bump s.Q i -h) s.Qdot)
                    / (2.0 * h)
            )
    // gamma = d2/ds2 G(t + s, q + qdot s) at s = 0.
    let along j sgn =
        eval d.G.[j] (s.T + sgn * h) (Array.map2 (fun q v -> q + sgn * h * v) s.Q s.Qdot) s.Qdot

    let gamma =
        Vector<float>.Build.Dense(r, fun j -> (along j 1.0 - 2.0 * along j 0.0 + along j -1.0) / (h * h))

    let hInv = hm.Inverse()
    let lambda = (gq * hInv * gq.Transpose()).Solve(gq * hInv * f + gamma)
    let qddot = hInv * (f - gq.Transpose() * lambda)
    qddot.ToArray(), lambda.ToArray()

let private checkAgainstNumericalRoute (m: Model) seed =
    let d, sg = derived m

    for s in randomStates d.N seed 20 do
        let qddot, lambda = numericalRoute d sg m.ParameterValues s
        let ev = Numerics.evaluate d sg m.ParameterValues s
        Array.iter2 (relClose 1e-5) qddot ev.Qddot
        Array.iter2 (relClose 1e-5) lambda ev.Lambda

[<Fact>]
let ``fig3b agrees with the numerical route`` () =
    checkAgainstNumericalRoute (load "fig3b.stlp") 21

[<Fact>]
let ``the recurrent net agrees with the numerical route`` () =
    // Moderate masses: central differences lose digits at the sample's mass ratio of 1e6.
    let m =
        Elaborate.ofFile (Map.ofList [ "m_s", 1.0; "m_x", 0.1 ]) (sample "recurrent.stlp")

    checkAgainstNumericalRoute m 22

let velocityDependent =
    """
    # F depends on velocities (H not diagonal) and the dissipation is 1 + t^2.
    param k = 2
    coord q mass 1
    coord r mass 2 init 0.1
    constraint tie: q - sin(r) = 0
    F = -k*q^2/2 + 0.3*q'*r' + 0.1*q*r'^2
    dissipation 1 + t^2
    loss (r - 1)^2/2
    """

[<Fact>]
let ``a velocity-dependent F and a non-exponential dissipation agree with the numerical route`` () =
    let m = Elaborate.ofText "." Map.empty velocityDependent
    let d, _ = derived m
    Assert.False(d.IsHDiagonal)
    Assert.Equal("0.3", Print.text d.H.[(0, 1)])
    // Small coordinates keep H positive definite (H[r,r] = 2(1 + t^2) + 0.2 q).
    checkAgainstNumericalRoute m 23

// ---- normalized multipliers ----

[<Fact>]
let ``normalized multipliers carry no exponential and agree with the raw ones`` () =
    let m = load "fig3b.stlp"
    let d, sg = derived m

    let hasTimeExp (e: Expr) =
        Calculus.topological [ e ]
        |> List.exists (fun n ->
            match n.Node with
            | Fn("exp", [| a |]) -> Calculus.dependsOn Calculus.time a
            | _ -> false)

    for e in Array.concat [ d.FNorm; d.B.Value; d.Qddot.Value; d.HNorm |> Map.values |> Array.ofSeq ] do
        Assert.False(hasTimeExp e, Print.text e)

    let s = (randomStates 3 31 1).Head
    let ev = Numerics.evaluate d sg m.ParameterValues s
    Array.iteri (fun j l -> relClose 1e-12 (l * exp s.T) ev.Lambda.[j]) ev.LambdaNormalized
    // At t = 10^4 exp(theta t) overflows; the normalized system does not.
    let late = Numerics.evaluate d sg m.ParameterValues { s with T = 1e4 }
    Assert.All(Array.append late.Qddot late.LambdaNormalized, fun v -> Assert.True(Double.IsFinite v))
    Assert.All(late.Lambda, fun v -> Assert.True(Double.IsInfinity v || v = 0.0))

// ---- initial conditions, rank, positive definiteness ----

let private consistentStart (m: Model) =
    let d, sg = derived m
    let ic = InitialConditions.complete d sg m.ParameterValues
    let ev = Numerics.evaluate d sg m.ParameterValues ic.State
    Assert.All(ev.G, fun g -> Assert.True(abs g <= 1e-12, $"G = {g}"))
    Assert.All(ev.Gdot, fun g -> Assert.True(abs g <= 1e-12, $"Gdot = {g}"))
    ic

[<Fact>]
let ``derived initial conditions satisfy G = 0 and Gdot = 0`` () =
    let ic = consistentStart (load "fig3b.stlp")
    // e(0) = 0 but e'(0) = 3: the input neuron must start moving (docs/equations.md §4).
    Assert.Equal<string list>([ "x1' = 3 (solved from Gdot = 0)" ], ic.Changes)
    consistentStart (load "xor.stlp") |> ignore
    consistentStart (load "recurrent.stlp") |> ignore
    consistentStart (Elaborate.ofText "." Map.empty velocityDependent) |> ignore

let private derivationError (text: string) =
    let m = Elaborate.ofText "." Map.empty text

    try
        let d, sg = derived m
        InitialConditions.complete d sg m.ParameterValues |> ignore
        failwith "expected a derivation error"
    with DerivationError message ->
        message

[<Fact>]
let ``an impossible start is refused naming the constraint`` () =
    let message =
        derivationError "coord x mass 1 init 2\ncoord y mass 1\nconstraint pin: x - 1 = 0\n"

    Assert.Contains("constraint 'pin'", message)

[<Fact>]
let ``dependent constraints are named (Proposition 1)`` () =
    let message =
        derivationError "coord x mass 1\ncoord y mass 1\nconstraint a: x - y = 0\nconstraint b: 2*x - 2*y = 0\n"

    Assert.Contains("'b'", message)
    Assert.Contains("full row rank", message)

[<Fact>]
let ``an indefinite H names the coordinate`` () =
    let message =
        derivationError "coord x mass 1\ncoord q mass 1\nconstraint c: x = 0\nF = -q'^2\n"

    Assert.Contains("not positive definite at coordinate q", message)

[<Fact>]
let ``F depending on accelerations is refused`` () =
    let x = Expr.sym "x" Coordinate

    let m =
        ModelBuilder("jerky")
            .Coordinate("x", Expr.one)
            .AddConstraint("c", x)
            .Force(Expr.sqr (Expr.sym "x" Acceleration))
            .Build()

    let e = Assert.Throws<DerivationError>(fun () -> Derive.derive None m |> ignore)
    Assert.Contains("fourth order", e.Data0)

// ---- stabilization options ----

[<Fact>]
let ``the penalty is added to V and Baumgarte to gamma`` () =
    let m = load "fig3a.stlp"
    let penalty = Derive.derive (Some(Penalty 2.0)) m
    // c/2 = 1.0, a floating one, which the canonical product drops.
    Assert.Equal("(x1 - e(t))^2 + (x2 - tanh(w*x1))^2 + (x2 - tanh(3))^2/2", Print.text penalty.Loss)
    let plain = Derive.derive None m
    let baumgarte = Derive.derive (Some(Baumgarte(3.0, 2.0))) m
    let sg = FormulaSignals m
    let s = (randomStates 3 41 1).Head

    let values (d: Derivation) =
        let v = Collections.Generic.Dictionary<Symbol, float>()
        d.Q |> Array.iteri (fun i x -> v.[x] <- s.Q.[i])
        d.Qdot |> Array.iteri (fun i x -> v.[x] <- s.Qdot.[i])
        sg.Values(s.T, m.ParameterValues, v)

    for j in 0..1 do
        let g = Evaluate.eval (values plain) plain.G.[j]
        let gdot = Evaluate.eval (values plain) plain.Gdot.[j]

        let expected =
            Evaluate.eval (values plain) plain.Gamma.[j] + 2.0 * 3.0 * gdot + 4.0 * g

        relClose 1e-12 expected (Evaluate.eval (values baumgarte) baumgarte.Gamma.[j])

// ---- structure ----

[<Fact>]
let ``a feedforward net's multiplier matrix has the layer-block pattern`` () =
    let d, _ = derived (load "iris.stlp")
    // Inputs only touch themselves, so they couple with the hidden neurons fed by them.
    let pattern = d.APattern |> Set.ofArray
    Assert.True(pattern.Contains(0, 4))
    // Two output neurons share the hidden layer: coupled.
    Assert.True(pattern.Contains(12, 13))
    // An input and an output neuron share nothing.
    Assert.False(pattern.Contains(0, 12))
    // G_W M_W^-1 G_W' is diagonal: each weight is touched by one constraint only.
    let weightTouches =
        d.Gq
        |> Array.collect (Array.map fst)
        |> Array.filter (fun i -> d.Model.Coordinates.[i].Kind = Syntax.WeightCoord)

    Assert.Equal(weightTouches.Length, (Array.distinct weightTouches).Length)
