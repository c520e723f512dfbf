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

// ---- 1c: long products and deep compositions ----

let private coords n =
    String.concat "" [ for i in 1..n -> $"coord x{i} mass 1 init 0.{i % 9 + 1}\n" ]

let private product n =
    String.Join("*", [ for i in 1..n -> $"x{i}" ])

[<Theory>]
[<InlineData(15)>]
[<InlineData(17)>]
[<InlineData(40)>]
let ``a loss that is a long product prints and derives`` (n: int) =
    for loss in [ product n; $"-({product n})/2"; $"3 - {product n}" ] do
        let m = load (coords n + $"loss {loss}\n")
        Assert.Contains("V = ", Describe.text m)
        Assert.NotEmpty(Print.latex m.Loss)
        let d = Derive.derive None m
        let text = DerivePrint.text d None
        Assert.Contains($"f[x{n}]", text)
        Assert.NotEmpty(DerivePrint.latex d)

[<Fact>]
let ``a negative product longer than the flattening bound prints with one sign`` () =
    let xs = [ for i in 1..20 -> Expr.sym $"x{i}" Coordinate ]
    let long = Expr.mul xs
    let negative = Expr.mul [ Expr.ofInt -3; long ]
    let text = Print.text negative
    Assert.StartsWith("-3*", text)
    Assert.Equal(1, text.Split('-').Length - 1)

[<Theory>]
[<InlineData(16)>]
[<InlineData(17)>]
[<InlineData(60)>]
let ``a deep composition derives and prints`` (depth: int) =
    let body = String.replicate depth "sin(" + "x1" + String.replicate depth ")"
    let m = load (coords 1 + $"loss {body}\n")
    let d, _, e = completed m
    Assert.Contains("f[x1]", DerivePrint.text d None)
    Assert.True(Double.IsFinite e.Qddot.[0])

// ---- 2: no stack overflow for any input ----

let private parseError (text: string) =
    try
        Parser.parse text |> ignore
        failwith "expected a parse error"
    with ModelError(kind, pos, message) ->
        kind, pos, message

[<Fact>]
let ``nesting 4000 calls deep is refused at the call past the limit`` () =
    let text =
        "coord x\nloss "
        + String.replicate 4000 "sin("
        + "x"
        + String.replicate 4000 ")"
        + "\n"

    let kind, pos, message = parseError text
    Assert.Equal(ParseError, kind)
    // "loss " is 5 columns; the 201st "sin(" opens at column 6 + 4*200, its '(' three later.
    Assert.Equal(
        Some {
            Line = 2
            Column = 6 + 4 * Parser.MaxDepth + 3
        },
        pos
    )

    Assert.Contains("nested too deeply", message)

[<Fact>]
let ``nesting at the limit is accepted`` () =
    let depth = Parser.MaxDepth - 1

    let text =
        "coord x\nloss "
        + String.replicate depth "("
        + "x"
        + String.replicate depth ")"
        + "\n"

    Assert.Equal(2, (Parser.parse text).Length)

[<Theory>]
[<InlineData("(", ")")>]
[<InlineData("-", "")>]
[<InlineData("x^", "")>]
[<InlineData("-(", ")")>]
[<InlineData("2^-", "")>]
let ``deep signs, powers and parentheses are refused with a place`` (prefix: string, suffix: string) =
    let text =
        "coord x\nloss "
        + String.replicate 100000 prefix
        + "x"
        + String.replicate 100000 suffix
        + "\n"

    let kind, pos, message = parseError text
    Assert.Equal(ParseError, kind)
    Assert.Equal(2, pos.Value.Line)
    Assert.Contains("nested too deeply", message)

[<Fact>]
let ``a sum of 100000 terms resolves, prints and evaluates`` () =
    let n = 100000

    let m =
        load (
            "coord x init 1\nloss "
            + String.Join(" - ", [ for i in 1..n -> $"x^{i}" ])
            + "\n"
        )

    match m.Loss.Node with
    | Sum ts -> Assert.Equal(n, ts.Length)
    | _ -> failwith "expected a sum"

    let text = Print.text m.Loss
    Assert.StartsWith("x - x^", text)
    let value = Evaluate.eval (Evaluate.ofNames (Map.ofList [ "x", 1.0 ])) m.Loss
    Assert.Equal(float (2 - n), value)

[<Fact>]
let ``a signal defined through itself is refused naming the signals`` () =
    let kind, pos, message =
        modelError "signal a(t) = 1 + b(t)\nsignal b(t) = c'(t)\nsignal c(t) = a(t)*t\ncoord x\nloss x\n"

    Assert.Equal(InvalidModel, kind)
    Assert.Equal(Some { Line = 1; Column = 8 }, pos)
    Assert.Contains("signal 'a' is defined in terms of itself: a -> b -> c -> a", message)

    let _, pos, message = modelError "signal e(t) = sin(e(t))\ncoord x\nloss x\n"
    Assert.Equal(Some { Line = 1; Column = 8 }, pos)
    Assert.Contains("e -> e", message)

// ---- 3: values checked before work ----

[<Theory>]
[<InlineData("param a = 1e999", 1, 11, "'1e999' is too large")>]
[<InlineData("param a = 10^10^10", 1, 11, "is not a finite number: it overflows")>]
[<InlineData("param a = 1/0", 1, 13, "division by zero")>]
[<InlineData("param a = 0^-1", 1, 11, "is not a finite number")>]
[<InlineData("param a = sqrt(-1)", 1, 11, "it is undefined")>]
[<InlineData("param a = log(0)", 1, 11, "is not a finite number")>]
[<InlineData("param a = ((2^4096)^4096)^4096", 1, 13, "is not a finite number")>]
[<InlineData("param a = 2^4096", 1, 11, "is not a finite number")>]
[<InlineData("param a = 1e200\nparam b = a*a", 2, 11, "parameter 'b' is not a finite number")>]
[<InlineData("coord y mass 1e200*1e200", 1, 14, "is not a finite number")>]
[<InlineData("coord y mass 0/0", 1, 16, "division by zero")>]
[<InlineData("param m = 1e300\ncoord y mass m*m*m", 2, 7, "the mass of 'y' must be finite")>]
[<InlineData("coord y init exp(1000)", 1, 14, "is not a finite number")>]
[<InlineData("param a = 1e300\ncoord y init a*a", 2, 7, "the initial value of 'y' must be a finite number")>]
[<InlineData("coord y guess x", 1, 7, "the guess of 'y' must be a constant")>]
[<InlineData("loss x + 1/0", 2, 12, "division by zero")>]
[<InlineData("loss x + 2^(0^-1)", 2, 13, "is not a finite number")>]
[<InlineData("dissipation 0", 2, 13, "the dissipation varpi must be positive")>]
[<InlineData("simulate t from 0 to -1", 2, 23, "must be after the start")>]
[<InlineData("simulate t from 0 to 1 step 0", 2, 29, "the step must be positive")>]
let ``a constant that is not a finite positive number names the item``
    (line: string, l: int, c: int, fragment: string)
    =
    let text =
        if line.StartsWith "param" || line.StartsWith "coord y" then
            line + "\ncoord x\nloss x^2\n"
        else
            "coord x\n" + line + "\n"

    let _, pos, message = modelError text
    Assert.Contains(fragment, message)
    Assert.Equal(Some { Line = l; Column = c }, pos)

[<Fact>]
let ``exact powers stay exact below the cap`` () =
    let m = load "param a = 2^1000/2^999\ncoord x\nloss a*x\n"
    Assert.Equal(2.0, m.ParameterValues.["a"])

[<Fact>]
let ``a NaN or infinite override is refused`` () =
    for v in [ nan; infinity ] do
        try
            Elaborate.ofText "." (Map.ofList [ "a", v ]) "param a = 1\ncoord x\nloss a*x\n"
            |> ignore

            failwith "expected a model error"
        with ModelError(_, _, message) ->
            Assert.Contains("--set a", message)

// ---- 4: front-end size ----

[<Fact>]
let ``a model with 10000 parameters elaborates`` () =
    let n = 10000

    let text =
        String.concat "" [ for i in 1..n -> $"param p{i} = {i}\n" ]
        + "coord x init 1\nloss "
        + String.Join(" + ", [ for i in 1..n -> $"p{i}*x^2" ])
        + "\n"

    let m = load text
    Assert.Equal(n, m.Parameters.Length)

    Assert.Equal(
        float n * float (n + 1) / 2.0,
        Evaluate.eval
            (Evaluate.ofNames (Map.add "x" 1.0 (Map.ofList [ for p in m.Parameters -> p.Name, p.Value ])))
            m.Loss
    )

[<Fact>]
let ``a 20000-term loss derives`` () =
    let n = 20000
    let terms = String.Join(" + ", [ for i in 1..n -> $"cos({i}*x)/{i}" ])
    let m = load $"coord x init 1\ncoord y\nconstraint c: y = x^2\nloss {terms}\n"
    let d, ic, e = completed m
    Assert.Equal(2, d.N)
    Assert.Equal(1.0, ic.State.Q.[1], 12)
    Assert.True(Array.forall Double.IsFinite e.Qddot)
