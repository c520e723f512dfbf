module Stlp.Model.Tests.NetworkTests

open Xunit
open Stlp.Model
open Stlp.Model.Tests.ParserTests

let private gx (m: Model) =
    let neurons =
        m.Coordinates
        |> List.filter (fun c -> c.Kind = Syntax.InputCoord || c.Kind = Syntax.NeuronCoord)
        |> List.map (fun c -> c.Symbol)

    Calculus.jacobian (m.Constraints |> List.map (fun c -> c.G)) neurons

let private randomValues (m: Model) seed =
    let rng = System.Random(seed: int)

    let coords =
        m.Coordinates |> List.map (fun c -> string c.Name, rng.NextDouble() - 0.5)

    let signals = m.Signals |> List.map (fun s -> s.Name, rng.NextDouble())
    Evaluate.ofNames (Map.ofList (coords @ signals @ (m.ParameterValues |> Map.toList)))

[<Fact>]
let ``a feedforward net is ordered so that G_x is unit lower triangular`` () =
    let m = load "iris.stlp"
    // 4 inputs, 8 hidden, 3 outputs; weights 4*8 + 8*3 plus 11 biases.
    Assert.Equal(15, m.Constraints.Length)
    Assert.Equal(15 + 32 + 24 + 11, m.Coordinates.Length)
    let j = gx m
    let values = randomValues m 5

    for i in 0 .. j.GetLength 0 - 1 do
        for k in 0 .. j.GetLength 1 - 1 do
            let v = Evaluate.eval values j.[i, k]

            if k = i then
                Assert.Equal(1.0, v)
            elif k > i then
                Assert.Equal(0.0, v)

[<Fact>]
let ``each neuron's constraint touches only its own weights`` () =
    let m = load "xor.stlp"
    let g = m.Constraints |> List.find (fun c -> c.Name = "x2_1")

    let weights =
        Calculus.freeSymbols g.G
        |> Set.filter (fun s -> s.Name.StartsWith "w" || s.Name.StartsWith "b")
        |> Set.map (fun s -> s.Name)

    Assert.Equal<Set<string>>(set [ "w2_1_1"; "w2_1_2"; "b_x2_1" ], weights)

[<Fact>]
let ``a recurrent digraph gets slack variables (eq. 11)`` () =
    let m = load "recurrent.stlp"

    Assert.Equal<string list>(
        [ "s_h"; "s_o" ],
        m.Coordinates
        |> List.filter (fun c -> c.Kind = Syntax.SlackCoord)
        |> List.map (fun c -> c.Name)
    )

    let h = m.Constraints |> List.find (fun c -> c.Name = "h")
    Assert.Equal("h + s_h - tanh(w_h_xr*xr + h*w_h_h + w_h_xin*xin)", Print.text h.G)
    Assert.Equal("(y(t) - o)^2/2", Print.text m.Loss)

[<Fact>]
let ``an acyclic digraph needs no slack`` () =
    let m =
        Elaborate.ofText
            "."
            Map.empty
            """
        signal u(t) = sin(t)
        network digraph d {
            edges a -> b, a -> c, b -> c
            input a = u(t)
            target c = u(t)
        }
        """

    Assert.DoesNotContain(m.Coordinates, fun c -> c.Kind = Syntax.SlackCoord)
    Assert.Equal("c - tanh(a*w_c_a + b*w_c_b)", Print.text (m.Constraints |> List.find (fun c -> c.Name = "c")).G)

[<Fact>]
let ``a user-declared form is instantiated for every neuron`` () =
    let m =
        Elaborate.ofText
            "."
            Map.empty
            """
        param leak = 0.9
        signal u(t) = sin(t)
        form leaky(x; in[], w[]) = x - leak*sigma(sum(w[i]*in[i]))
        network feedforward 1-2 {
            form leaky
            activation sigmoid
            inputs u(t)
            init weights 0.1
        }
        """

    Assert.Equal(
        "x1_1 - leak*sigmoid(w1_1_1*x0_1)",
        Print.text (m.Constraints |> List.find (fun c -> c.Name = "x1_1")).G
    )

    Assert.Equal(Some(Expr.real 0.1), (m.Coordinates |> List.find (fun c -> c.Name = "w1_2_1")).Init)

[<Fact>]
let ``random weight initialization is reproducible`` () =
    let inits () =
        (load "xor.stlp").Coordinates |> List.choose (fun c -> c.Init)

    Assert.Equal<Expr list>(inits (), inits ())

[<Fact>]
let ``a drive enters a digraph neuron's sum directly, with no weight in front`` () =
    let m =
        Elaborate.ofText
            "."
            Map.empty
            """
        signal u(t) = sin(t)
        signal v(t) = cos(t)
        network digraph g {
            edges a -> h, h -> o
            input a = u(t)
            drive h = v(t)
            target o = u(t)
        }
        """

    let g =
        m.Constraints |> List.find (fun c -> c.Name = "h") |> (fun c -> Print.text c.G)

    // x_h - tanh(w_h_a * a + v(t)): the drive has no weight coordinate.
    Assert.Contains("v(t)", g)
    Assert.DoesNotContain(m.Coordinates, fun c -> c.Name.Contains "v")
    Assert.Equal<string list>([ "w_h_a"; "w_o_h" ], m.Networks.Head.Weights)

[<Fact>]
let ``a drive on a vertex that is not in the graph, or in a feedforward net, is a located error`` () =
    let fails (text: string) (fragment: string) =
        try
            Elaborate.ofText "." Map.empty text |> ignore
            failwith "expected a model error"
        with ModelError(_, pos, message) ->
            Assert.Contains(fragment, message)
            Assert.True(pos.IsSome)

    fails
        "signal u(t) = sin(t)\nnetwork digraph g {\n edges a -> h\n input a = u(t)\n drive z = u(t)\n}\n"
        "drive vertex 'z' is not in the graph"

    fails
        "signal u(t) = sin(t)\nnetwork feedforward n 1-1 {\n inputs u(t)\n drive x1_1 = u(t)\n}\n"
        "'drive' is for digraphs"
