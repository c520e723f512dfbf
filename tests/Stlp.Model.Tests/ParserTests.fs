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
