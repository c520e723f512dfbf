module Stlp.Model.Tests.ParserTests

open System.IO
open Xunit
open Stlp.Model

let samplesDir =
    let rec up (d: DirectoryInfo) =
        if File.Exists(Path.Combine(d.FullName, "StlpSymbolic.sln")) then
            d.FullName
        else
            up (nonNull d.Parent)

    Path.Combine(up (DirectoryInfo(System.AppContext.BaseDirectory)), "samples")

let sample name = Path.Combine(samplesDir, name)

let load name =
    Elaborate.ofFile Map.empty (sample name)

let sampleFiles () : objnull[] seq =
    Directory.GetFiles(samplesDir, "*.stlp")
    |> Seq.sort
    |> Seq.map (fun f -> [| box (Path.GetFileName f) |])

[<Theory>]
[<MemberData(nameof sampleFiles)>]
let ``every sample parses and elaborates`` (file: string) =
    let m = load file
    Assert.NotEmpty(m.Coordinates)
    Assert.NotEmpty(m.Constraints)
    // Every constraint mentions a coordinate and every mass is a positive constant.
    for c in m.Coordinates do
        Assert.True(Evaluate.eval (Evaluate.ofNames m.ParameterValues) c.Mass > 0.0)

[<Fact>]
let ``fig3b reads as the paper writes it`` () =
    let m = load "fig3b.stlp"
    Assert.Equal<string list>([ "x1"; "x2"; "w" ], m.Coordinates |> List.map (fun c -> c.Name))
    Assert.Equal<string list>([ "x1 - e(t)"; "x2 - tanh(w*x1)" ], m.Constraints |> List.map (fun c -> Print.text c.G))
    Assert.Equal("exp(t*theta)", Print.text m.Dissipation)
    Assert.Equal("(x2 - tanh(3))^2/2 + c*(x2 - tanh(w*x1))^2/2", Print.text m.Loss)
    Assert.Equal(200.0, m.Simulation.T1)
    Assert.Equal("dopri5", m.Simulation.Method)

[<Fact>]
let ``the simulate line can ask for plots of expressions`` () =
    let m = load "fig2b.stlp"
    Assert.Equal<string list>([ "w"; "3/e(t)" ], m.Simulation.Plots |> List.map Print.text)
    Assert.Equal(0.01, m.Simulation.OutputEvery.Value)

[<Fact>]
let ``parameters can be overridden`` () =
    let m = Elaborate.ofFile (Map.ofList [ "theta", 2.5 ]) (sample "fig3b.stlp")
    Assert.Equal(2.5, m.ParameterValues.["theta"])

[<Fact>]
let ``comments, decimals, velocities in F and simulate options`` () =
    let m =
        Elaborate.ofText
            "."
            Map.empty
            """
        # a damped oscillator written with a general F(t, q, qdot)
        param k = 2.5      # spring constant
        coord q mass 1 init 0.5 velocity 0
        coord r mass 2
        constraint tie: q - r = 0
        F = -k*q^2/2 - 0.1*q'*r'
        simulate from 0 to 10, method rk4, step 0.01, stabilize baumgarte 5 5
        """

    Assert.Equal("-k*q^2/2 - 0.1*q'*r'", Print.text m.Force)
    Assert.Equal(Baumgarte(5.0, 5.0), m.Simulation.Stabilize)
    Assert.Equal(Some 0.01, m.Simulation.Step)

[<Fact>]
let ``a data set becomes feature and target signals`` () =
    let m = load "iris.stlp"
    let d = m.DataSets.Head
    Assert.Equal<string list>([ "setosa"; "versicolor"; "virginica" ], d.Classes)
    Assert.Equal(4, d.Features.Length)
    Assert.Equal(0.5, d.Present)
    Assert.Equal(0.05, d.Mollify)
    Assert.Contains(m.Signals, fun s -> s.Name = "iris_in1" && s.Source = DataFeature("iris", 0))
    Assert.Contains(m.Signals, fun s -> s.Name = "iris_y3" && s.Source = DataTarget("iris", 2))

let private ofText (text: string) = Elaborate.ofText "." Map.empty text

[<Fact>]
let ``pi and e are built in`` () =
    let m =
        ofText
            """
        coord x mass 1
        constraint c: x = pi
        """

    let g = m.Constraints.Head.G
    Assert.Equal(0.0, Evaluate.eval (Evaluate.ofNames (Map.ofList [ "x", System.Math.PI ])) g)
    Assert.Equal(System.Math.E, Evaluate.eval (Evaluate.ofNames Map.empty) (Resolve.parseExpression Map.empty "e"))
    // Printed and read back: pi is the nearest double, e is exp(1), exact.
    let pi = Resolve.parseExpression Map.empty "pi"
    let e = Resolve.parseExpression Map.empty "e"
    Assert.Equal("exp(1)", Print.text e)
    Assert.Same(pi, Resolve.parseExpression Map.empty (Print.text pi))
    Assert.Same(e, Resolve.parseExpression Map.empty (Print.text e))
    let names = Map.ofList [ "x", BoundSymbol { Name = "x"; Kind = Coordinate } ]
    let sinPi = Resolve.parseExpression names "sin(pi*x) + e^x"
    Assert.Same(sinPi, Resolve.parseExpression names (Print.text sinPi))

[<Fact>]
let ``a model's own pi or e shadows the constant`` () =
    let m =
        ofText
            """
        param pi = 3
        signal e(t) = 2*t
        coord x mass 1
        constraint c: x = pi*e(t)
        """

    Assert.Equal("x - pi*e(t)", Print.text m.Constraints.Head.G)
    // xor.stlp declares `param pi` after the signals that use it.
    let xor = load "xor.stlp"
    Assert.Equal(3.141592653589793, xor.ParameterValues.["pi"])
    // A model name `e` is that name everywhere: a signal is no constant, and a parameter used
    // before its definition is undefined, not the built-in constant.
    let bad text =
        try
            ofText text |> ignore
            None
        with ModelError(kind, _, message) ->
            Some(kind, message)

    let k, msg =
        (bad "param a = 2*e\nsignal e(t) = t\ncoord x mass 1 init a\nconstraint c: x = a\n").Value

    Assert.Equal(UndefinedName, k)
    Assert.Contains("'e'", msg)

    let k2, _ =
        (bad "param a = 2*pi\nparam pi = 3\ncoord x mass 1\nconstraint c: x = a\n").Value

    Assert.Equal(UndefinedName, k2)

[<Fact>]
let ``** is a power, like ^`` () =
    let names =
        Map.ofList [ for n in [ "x"; "y" ] -> n, BoundSymbol { Name = n; Kind = Coordinate } ]

    let p = Resolve.parseExpression names
    Assert.Same(p "x^2", p "x ** 2")
    Assert.Same(p "x^y^2", p "x**y**2")
    Assert.Same(p "-x^2*y", p "-x**2*y")
    Assert.Same(p "2*x^3*y", p "2*x**3*y")
    Assert.Equal("x^2 + y^(1/2)", Print.text (p "x**2 + y**(1/2)"))
    // Printed with ^, read back the same.
    let e = p "(x + y)**3 * x**-1"
    Assert.Same(e, p (Print.text e))

    let m =
        ofText
            """
        coord x mass 1 init 0.5
        coord y mass 1 guess -0.8
        constraint rod: x**2 + y**2 = 1
        """

    Assert.Equal("x^2 + y^2 - 1", Print.text m.Constraints.Head.G)

[<Theory>]
[<InlineData("fig3a.stlp")>]
[<InlineData("fig2b.stlp")>]
[<InlineData("iris.stlp")>]
[<InlineData("recurrent.stlp")>]
let ``show writes the whole simulate line in the model language, and it reads back the same`` (file: string) =
    let path = System.IO.Path.Combine(__SOURCE_DIRECTORY__, "..", "..", "samples", file)
    let model = Elaborate.ofFile Map.empty path
    let line = Describe.simulateLine model.Simulation
    Assert.DoesNotContain("NoStabilization", line)

    let text =
        System.IO.File.ReadAllLines path
        |> Array.map (fun l -> if l.StartsWith "simulate" then line else l)
        |> String.concat "\n"

    let again =
        Elaborate.ofText (nonNull (System.IO.Path.GetDirectoryName path)) Map.empty text

    Assert.Equal(model.Simulation, again.Simulation)

[<Fact>]
let ``the outputs option is gone, with a located message saying what to use`` () =
    try
        Elaborate.ofText "." Map.empty "coord x mass 1\nloss x^2\nsimulate from 0 to 1, outputs x\n"
        |> ignore

        failwith "expected a model error"
    with ModelError(_, pos, message) ->
        Assert.Contains("the 'outputs' option is gone", message)
        Assert.Equal(Some { Line = 3; Column = 31 }, pos)
