namespace Stlp.Model

open System
open Stlp.Model.Syntax

/// The `simulate` statement's options.
module Settings =
    let simulation (exprOf: SExpr -> Expr) (value: SExpr -> float) (sim: SimulationSettings) (opts: SimOption list) =
        let finite what (e: SExpr) =
            let v = value e

            if not (Double.IsFinite v) then
                Errors.fail InvalidModel e.Pos $"{what} must be a finite number, got {Print.realText v}"

            v

        let positive what (e: SExpr) =
            let v = finite what e

            if not (v > 0.0) then
                Errors.fail InvalidModel e.Pos $"{what} must be positive, got {Print.realText v}"

            v

        let checkedSpan (a: SExpr) (b: SExpr) =
            let t0, t1 = finite "the start time" a, finite "the end time" b

            if not (t1 > t0) then
                Errors.fail
                    InvalidModel
                    b.Pos
                    $"the end time {Print.realText t1} must be after the start {Print.realText t0}"

            t0, t1

        opts
        |> List.fold
            (fun (s: SimulationSettings) o ->
                match o with
                | Span(a, b) ->
                    let t0, t1 = checkedSpan a b

                    {
                        s with
                            T0 = t0
                            T1 = t1
                            EndGiven = true
                    }
                | Step e -> {
                    s with
                        Step = Some(positive "the step" e)
                  }
                | Method m ->
                    if Stlp.Runtime.Integration.Integrators.IsKnown m.Text then
                        { s with Method = m.Text }
                    else
                        Errors.fail
                            InvalidModel
                            m.Pos
                            $"unknown method '{m.Text}' ({Stlp.Runtime.Integration.Integrators.NamesText})"
                | RelTol e -> { s with RelTol = positive "rtol" e }
                | AbsTol e -> { s with AbsTol = positive "atol" e }
                | OutputEvery e -> {
                    s with
                        OutputEvery = Some(positive "the output interval" e)
                  }
                | Outputs ns ->
                    Errors.fail
                        InvalidModel
                        (List.head ns).Pos
                        "the 'outputs' option is gone: trajectory.csv has every coordinate; choose what plot.png shows with 'plot EXPR, ...'"
                | Plot es -> {
                    s with
                        Plots = s.Plots @ List.map exprOf es
                  }
                | Stabilize(m, args) ->
                    let arity k =
                        if args.Length <> k then
                            Errors.fail
                                WrongArity
                                m.Pos
                                $"'stabilize {m.Text}' takes {k} value(s), {args.Length} given"

                    let stab =
                        match m.Text with
                        | "none" ->
                            arity 0
                            NoStabilization
                        | "penalty" ->
                            arity 1
                            Penalty(value args.[0])
                        | "baumgarte" ->
                            arity 2
                            Baumgarte(value args.[0], value args.[1])
                        | "projection" ->
                            arity 0
                            Projection
                        | other ->
                            Errors.fail
                                InvalidModel
                                m.Pos
                                $"unknown stabilization '{other}' (none, penalty C, baumgarte ALPHA BETA, projection)"

                    { s with Stabilize = stab })
            sim

/// The `network` statement turned into a builder specification.
module NetworkStatement =
    /// The weights a run wrote (`weights.json`: an object of numbers by coordinate name).
    let private readWeights (baseDir: string) (path: string) (at: SourcePos) =
        let full =
            if IO.Path.IsPathRooted path then
                path
            else
                IO.Path.Combine(baseDir, path)

        let text =
            try
                IO.File.ReadAllText full
            with
            | :? IO.IOException
            | :? UnauthorizedAccessException as e ->
                Errors.fail InvalidModel at $"cannot read the weights file {full}: {e.Message}"

        let document =
            try
                Text.Json.JsonDocument.Parse text
            with :? Text.Json.JsonException as e ->
                Errors.fail InvalidModel at $"{full} is not valid JSON: {e.Message}"

        use document = document

        if document.RootElement.ValueKind <> Text.Json.JsonValueKind.Object then
            Errors.fail InvalidModel at $"{full} must hold an object of weights by name"

        let values = [
            for p in document.RootElement.EnumerateObject() ->
                match p.Value.ValueKind with
                | Text.Json.JsonValueKind.Number when Double.IsFinite(p.Value.GetDouble()) ->
                    p.Name, p.Value.GetDouble()
                | _ -> Errors.fail InvalidModel at $"{full}: the value of '{p.Name}' is not a finite number"
        ]

        WeightsFrom(full, Map.ofList values)

    let spec
        (baseDir: string)
        (exprOf: SExpr -> Expr)
        (value: SExpr -> float)
        (dataSets: DataSet list)
        (shape: Syntax.NetworkShape)
        (name: Name option)
        (opts: NetworkOption list)
        (pos: SourcePos)
        : NetworkSpec =
        let netName = name |> Option.map (fun n -> n.Text) |> Option.defaultValue "net"

        let edges =
            opts
            |> List.collect (function
                | Edges es -> es
                | _ -> [])

        let vertexNames =
            [
                for o in opts do
                    match o with
                    | Edges es ->
                        for a, b in es do
                            yield a.Text
                            yield b.Text
                    | InputVertex(n, _)
                    | TargetVertex(n, _) -> yield n.Text
                    | _ -> ()
            ]
            |> List.distinct

        let netShape =
            match shape with
            | Feedforward sizes ->
                // Sizes checked before any work: a mistyped layer must not build billions of weights.
                if sizes |> List.exists (fun k -> k < 1) then
                    Errors.fail InvalidModel pos $"network '{netName}': every layer needs at least one neuron"

                let weights =
                    sizes |> List.pairwise |> List.sumBy (fun (a, b) -> int64 a * int64 b + int64 b)

                if weights > 1_000_000L || sizes.Length > 1000 then
                    Errors.fail
                        InvalidModel
                        pos
                        $"network '{netName}' is too large ({weights} weights and biases; at most 1000000)"

                Layers sizes
            | Syntax.Digraph -> Graph(vertexNames, edges |> List.map (fun (a, b) -> a.Text, b.Text))

        let signalOf (name: string) = Expr.signal name 0

        opts
        |> List.fold
            (fun (s: NetworkSpec) o ->
                match o with
                | Activation names ->
                    for a in names do
                        match Functions.tryFind a.Text with
                        | Some p when p.IsC2 -> ()
                        | Some _ ->
                            Errors.fail
                                NotSmooth
                                a.Pos
                                $"activation '{a.Text}' is not twice continuously differentiable"
                        | None -> Errors.fail UndefinedName a.Pos $"unknown activation '{a.Text}'"

                    {
                        s with
                            Activation = names.Head.Text
                            LayerActivations =
                                if names.Length > 1 then
                                    names |> List.map (fun a -> a.Text)
                                else
                                    []
                    }
                | UseForm forms -> {
                    s with
                        Form = Some forms.Head.Text
                        LayerForms =
                            if forms.Length > 1 then
                                forms |> List.map (fun f -> f.Text)
                            else
                                []
                  }
                | Data d ->
                    match dataSets |> List.tryFind (fun x -> x.Name = d.Text) with
                    | None -> Errors.fail UndefinedName d.Pos $"undefined data set '{d.Text}'"
                    | Some ds -> {
                        s with
                            DataSet = Some ds.Name
                            Inputs = ds.Features |> List.mapi (fun i _ -> None, signalOf (ds.FeatureSignal i))
                            Targets = ds.Targets |> List.mapi (fun k _ -> None, signalOf (ds.TargetSignal k))
                      }
                | Inputs es -> {
                    s with
                        Inputs = s.Inputs @ (es |> List.map (fun e -> None, exprOf e))
                  }
                | Targets es -> {
                    s with
                        Targets = s.Targets @ (es |> List.map (fun e -> None, exprOf e))
                  }
                | InputVertex(n, e) -> {
                    s with
                        Inputs = s.Inputs @ [ Some n.Text, exprOf e ]
                  }
                | TargetVertex(n, e) -> {
                    s with
                        Targets = s.Targets @ [ Some n.Text, exprOf e ]
                  }
                | DriveVertex(n, e) -> {
                    s with
                        Drives = s.Drives @ [ n.Text, exprOf e ]
                  }
                | Masses ms ->
                    ms
                    |> List.fold
                        (fun (s: NetworkSpec) (n, e) ->
                            let m = exprOf e

                            match n.Text with
                            | "x" -> { s with MassNeuron = m }
                            | "w" -> { s with MassWeight = m }
                            | "s" -> { s with MassSlack = m }
                            | other -> Errors.fail InvalidModel n.Pos $"unknown mass group '{other}' (x, w or s)")
                        s
                | InitWeights(random, e, seed) -> {
                    s with
                        Init =
                            if random then
                                RandomWeights(value e, defaultArg seed 1)
                            else
                                ConstantWeights(value e)
                  }
                | InitWeightsFrom(path, at) -> {
                    s with
                        Init = readWeights baseDir path at
                  }
                | Loss l -> { s with LossKind = l.Text }
                | Slack b -> { s with Slack = Some b }
                | Edges _ -> s)
            {
                NetworkSpec.Create(netName, netShape) with
                    Pos = Some pos
            }

/// Checks on a finished model that need the whole of it.
module Check =
    let model (m: Model) =
        let where (pos: SourcePos option) msg =
            match pos with
            | Some p -> Errors.fail NoCoordinate p msg
            | None -> Errors.failAnywhere NoCoordinate msg

        for c in m.Constraints do
            let coords = Calculus.freeSymbols c.G |> Set.filter (fun s -> s.Kind = Coordinate)

            if coords.IsEmpty then
                where
                    c.Pos
                    $"constraint '{c.Name}' mentions no coordinate: {Print.text c.G} = 0 cannot be enforced by the motion"

        let values =
            m.Parameters
            |> List.map (fun p -> { Name = p.Name; Kind = Parameter }, p.Value)
            |> Map.ofList

        for c in m.Coordinates do
            let bad = Calculus.freeSymbols c.Mass |> Set.filter (fun s -> s.Kind <> Parameter)

            let fail msg =
                match c.Pos with
                | Some p -> Errors.fail InvalidModel p msg
                | None -> Errors.failAnywhere InvalidModel msg

            if not bad.IsEmpty then
                fail $"the mass of '{c.Name}' must be a constant, not depend on {bad.MinimumElement}"

            let mass = Evaluate.eval (Evaluate.ofMaps values Map.empty) c.Mass

            if not (mass > 0.0) then
                fail $"the mass of '{c.Name}' must be positive, got {mass}"

            if not (Double.IsFinite mass) then
                fail $"the mass of '{c.Name}' must be finite, got {Print.realText mass}"

            // Starts are constants: numbers and parameters, finite.
            for what, e in
                [
                    "initial value", c.Init
                    "initial velocity", c.InitVelocity
                    "guess", c.Guess
                ] do
                match e with
                | None -> ()
                | Some e ->
                    let bad = Calculus.freeSymbols e |> Set.filter (fun s -> s.Kind <> Parameter)

                    if not bad.IsEmpty || not (Calculus.signals e).IsEmpty then
                        fail $"the {what} of '{c.Name}' must be a constant (numbers and parameters only)"

                    let v = Evaluate.eval (Evaluate.ofMaps values Map.empty) e

                    if not (Double.IsFinite v) then
                        fail $"the {what} of '{c.Name}' must be a finite number, got {Print.realText v}"

        let dissipationSyms =
            Calculus.freeSymbols m.Dissipation
            |> Set.filter (fun s -> s.Kind <> Parameter && s.Kind <> Time)

        if not dissipationSyms.IsEmpty then
            Errors.failAnywhere
                InvalidModel
                $"the dissipation varpi(t) may depend only on t and parameters, not on {dissipationSyms.MinimumElement}"

        if m.Coordinates.IsEmpty then
            Errors.failAnywhere InvalidModel "the model has no coordinates"

    /// The model from its parts, checked: the one place where parsed and coded models are finished.
    let finish name parameters signals dataSets coordinates constraints dissipation losses forces networks sim =
        let m = {
            Name = name
            Parameters = List.ofSeq parameters
            Signals = List.ofSeq signals
            DataSets = List.ofSeq dataSets
            Coordinates = List.ofSeq coordinates
            Constraints = List.ofSeq constraints
            Dissipation = dissipation
            Loss = Expr.add losses
            Force = Expr.add forces
            Networks = List.ofSeq networks
            Simulation = sim
        }

        model m
        m
