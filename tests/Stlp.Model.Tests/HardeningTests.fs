/// Valid models that used to be refused, inputs that used to crash the process, and values
/// that are checked before any work is done.
module Stlp.Model.Tests.HardeningTests

open System
open Xunit
open Stlp.Model

let private load (text: string) = Elaborate.ofText "." Map.empty text

let private completed (m: Model) =
    let d = Derive.derive None m
    let signals = FormulaSignals m
    let ic = InitialConditions.complete d signals m.ParameterValues
    d, ic, Numerics.evaluate d signals m.ParameterValues ic.State

let private modelError (text: string) =
    try
        load text |> ignore
        failwith "expected a model error"
    with ModelError(kind, pos, message) ->
        kind, pos, message

// ---- 1a: a model without constraints ----

let private oscillator = "coord x mass 1 init 1\nloss x^2/2\n"

[<Fact>]
let ``an oscillator without constraints derives, prints and evaluates`` () =
    let m = load oscillator
    let d, ic, e = completed m
    Assert.Equal(0, d.R)
    Assert.Equal<float[]>([| 1.0 |], ic.State.Q)
    Assert.Equal<float[]>([| -1.0 |], e.Qddot)
    Assert.Empty(e.LambdaNormalized)
    Assert.Contains("0 constraints", DerivePrint.text d (Some ic))
    Assert.Contains("V = x^2/2", Describe.text m)
    Assert.NotEmpty(DerivePrint.latex d)
    Assert.NotNull(DerivePrint.json d (Some ic))

[<Fact>]
let ``an oscillator through the Derivations API`` () =
    let m = load oscillator
    let d, ic = Derivations.Derive(m, None)
    Assert.Equal(0, d.R)
    Assert.Empty(ic.Changes)

// ---- 1b: completing the start of a pendulum ----

let private pendulum =
    "coord x mass 1 init 0.5\ncoord y mass 1\nconstraint rod: x^2 + y^2 = 1\n"

[<Fact>]
let ``a pendulum whose free coordinate starts where the gradient vanishes is completed`` () =
    let _, ic, e = completed (load pendulum)
    let x, y = ic.State.Q.[0], ic.State.Q.[1]
    Assert.Equal(0.5, x)
    Assert.Equal(1.0, x * x + y * y, 12)
    Assert.Equal(sqrt 0.75, abs y, 12)
    Assert.True(Array.forall Double.IsFinite e.LambdaNormalized)

[<Fact>]
let ``a guess chooses the branch of the start`` () =
    let m = load (pendulum.Replace("coord y mass 1", "coord y mass 1 guess -0.8"))
    Assert.True(m.Coordinates.[1].Guess.IsSome)
    let _, ic, _ = completed m
    Assert.Equal(-sqrt 0.75, ic.State.Q.[1], 12)
    Assert.Equal<string list>([ "y = -0.8660254037844386 (solved from G = 0)" ], ic.Changes)

[<Fact>]
let ``a positive guess gives the upper branch`` () =
    let m = load (pendulum.Replace("coord y mass 1", "coord y mass 1 guess 3"))
    let _, ic, _ = completed m
    Assert.Equal(sqrt 0.75, ic.State.Q.[1], 12)

[<Fact>]
let ``a start that cannot exist names the constraint and the residual`` () =
    let m =
        load "coord x mass 1 init 2\ncoord y mass 1\nconstraint rod: x^2 + y^2 = 1\n"

    let message =
        try
            completed m |> ignore
            failwith "expected a derivation error"
        with DerivationError message ->
            message

    Assert.Contains("constraint 'rod'", message)
    Assert.Contains("|G| = 3", message)
    Assert.Contains("restarts", message)

[<Fact>]
let ``guess and init together are refused`` () =
    let kind, pos, message = modelError "coord x mass 1 init 1 guess 2\nloss x^2\n"
    Assert.Equal(InvalidModel, kind)
    Assert.Equal(Some { Line = 1; Column = 7 }, pos)
    Assert.Contains("both 'init' and 'guess'", message)
