namespace Stlp.Model

open System
open System.IO
open Stlp.Model.Syntax

/// Turns a parsed model file into a `Model`: resolves names, instantiates forms and networks,
/// reads data-set headers, and checks what can be checked before derivation.
module Elaborate =
    /// The value of an expression of parameters, read from the parameters defined so far (a
    /// view, not a copy, so that elaborating n parameters stays linear).
    let private constant (values: Collections.Generic.Dictionary<string, float>) (e: Expr) =
        Evaluate.eval
            { new IValues with
                member _.Symbol s =
                    match values.TryGetValue s.Name with
                    | true, v when s.Kind = Parameter -> v
                    | _ -> raise (EvaluationError $"no value for '{s}'")

                member _.Signal(name, _) =
                    raise (EvaluationError $"no value for signal '{name}'")
            }
            e

    /// Reads a data set (once: the runtime takes its arrays), CSV or IDX, and its options.
    let private readDataSet
        (baseDir: string)
        (n: Name)
        (source: DataSource)
        (opts: DataOption list)
        (value: SExpr -> float)
        =
        let resolve (path: string) =
            if Path.IsPathRooted path then
                path
            else
                Path.Combine(baseDir, path)

        let target, targetOneHot =
            opts
            |> List.tryPick (function
                | Target(t, o) -> Some(t, o)
                | _ -> None)
            |> Option.map (fun (t, o) -> Some t, o)
            |> Option.defaultValue (None, false)

        let oneHot = targetOneHot || List.contains OneHot opts

        let failAt (pos: SourcePos) (message: string) =
            ModelError(InvalidModel, Some pos, $"data set '{n.Text}': {message}")

        let table =
            match source with
            | Csv path ->
                let full = resolve path

                if not (File.Exists full) then
                    Errors.fail InvalidModel n.Pos $"data set '{n.Text}': file not found: {full}"

                DataTable.read full (target |> Option.map (fun t -> t.Text)) (fun message ->
                    failAt (target |> Option.map (fun t -> t.Pos) |> Option.defaultValue n.Pos) message)
            | Idx(images, labels) ->
                match target with
                | Some t ->
                    Errors.fail
                        InvalidModel
                        t.Pos
                        $"data set '{n.Text}': an idx data set's target is its labels file; write 'onehot' alone, without 'target {t.Text}'"
                | None -> IdxReader.read images labels resolve (failAt n.Pos)

        let classes = DataTable.classes table |> List.ofArray
        let features = List.ofArray table.FeatureNames
        let targetName = table.Header.[table.TargetIndex]

        let pick f d =
            opts |> List.tryPick f |> Option.defaultValue d

        let present =
            pick
                (function
                | Present e -> Some(value e)
                | _ -> None)
                1.0

        let mollify =
            pick
                (function
                | Mollify e -> Some(value e)
                | _ -> None)
                (present / 10.0)

        if not (mollify > 0.0 && mollify < present / 2.0) then
            Errors.fail
                InvalidModel
                n.Pos
                $"data set '{n.Text}': the mollifier width must be in (0, present/2), got {mollify} with present {present}"

        {
            Name = n.Text
            Path = table.Path
            Table = table
            TargetColumn = targetName
            OneHot = oneHot
            Present = present
            Mollify = mollify
            Epochs =
                pick
                    (function
                    | Epochs k -> Some k
                    | _ -> None)
                    1
            Split =
                pick
                    (function
                    | Split e -> Some(value e)
                    | _ -> None)
                    1.0
            Seed =
                pick
                    (function
                    | Seed k -> Some k
                    | _ -> None)
                    1
            Standardize = opts |> List.contains Standardize
            Shuffle =
                pick
                    (function
                    | Shuffle s -> Some s
                    | _ -> None)
                    true
            Features = features
            Targets = if oneHot then classes else [ targetName ]
            Classes = classes
        }

    /// Builds the model. `baseDir` resolves data paths; `overrides` replace parameter values
    /// (`--set name=value`); an unknown name there is an error.
    let elaborate (baseDir: string) (overrides: Map<string, float>) (statements: Located list) : Model =
        // ---- pass 1: names, with duplicates reported at the second definition ----
        let defined = Collections.Generic.Dictionary<string, SourcePos>()

        let define (n: Name) =
            if n.Text = "t" then
                Errors.fail DuplicateName n.Pos "'t' is time and cannot be redefined"

            match defined.TryGetValue n.Text with
            | true, first ->
                Errors.fail
                    DuplicateName
                    n.Pos
                    $"'{n.Text}' is already defined at line {first.Line}, column {first.Column}"
            | _ -> defined.[n.Text] <- n.Pos

        let bindings = Collections.Generic.Dictionary<string, Binding>()

        // The names the model itself defines anywhere: one named `pi` or `e` shadows the built-in
        // constant in the whole model (used before its definition, it is undefined, as any name).
        let declared =
            statements
            |> List.collect (fun s ->
                match s.Statement with
                | Param(n, _)
                | SignalDef(n, _, _)
                | DataDef(n, _, _)
                | CoordDecl(_, n, _, _)
                | ConstraintDef(n, _, _) -> [ n.Text ]
                | Network(_, _, opts, _) ->
                    opts
                    |> List.collect (function
                        | Edges es -> es |> List.collect (fun (a, b) -> [ a.Text; b.Text ])
                        | InputVertex(v, _)
                        | TargetVertex(v, _)
                        | DriveVertex(v, _) -> [ v.Text ]
                        | _ -> [])
                | _ -> [])
            |> Set.ofList

        let lookup name =
            match bindings.TryGetValue name with
            | true, b -> Some b
            | _ when declared.Contains name -> None
            | _ -> Resolve.builtinConstant name |> Option.map BoundValue

        let mutable modelName = "model"
        let paramValues = Collections.Generic.Dictionary<string, float>()
        let parameters = ResizeArray<Parameter>()
        let constantScope () = Resolve.scope lookup Elsewhere

        let value (e: SExpr) =
            let x = Resolve.toExpr (constantScope ()) e
            let free = Calculus.freeSymbols x |> Set.filter (fun s -> s.Kind <> Parameter)

            if not free.IsEmpty || not (Calculus.signals x).IsEmpty then
                Errors.fail InvalidModel e.Pos "expected a constant (numbers and parameters only)"

            constant paramValues x

        // Parameters first, in order, so later ones may use earlier ones.
        for s in statements do
            match s.Statement with
            | ModelName n -> modelName <- n.Text
            | Param(n, e) ->
                define n

                let v =
                    match overrides.TryFind n.Text with
                    | Some v when not (Double.IsFinite v) ->
                        Errors.failAnywhere InvalidModel $"--set {n.Text}: {v} is not a finite number"
                    | Some v -> v
                    | None -> value e

                if not (Double.IsFinite v) then
                    Errors.fail InvalidModel e.Pos $"parameter '{n.Text}' is not a finite number: {Print.realText v}"

                paramValues.[n.Text] <- v
                bindings.[n.Text] <- BoundSymbol { Name = n.Text; Kind = Parameter }

                parameters.Add {
                    Name = n.Text
                    Value = v
                    Pos = Some n.Pos
                }
            | _ -> ()

        for KeyValue(k, _) in overrides do
            if not (paramValues.ContainsKey k) then
                Errors.failAnywhere
                    UndefinedName
                    $"""--set {k}: the model has no parameter '{k}' (parameters: {String.Join(", ", paramValues.Keys)})"""

        let forms = Collections.Generic.Dictionary<string, ConstraintForm>()

        for f in Forms.prelude do
            forms.[f.Name] <- f

        let signals = ResizeArray<Signal>()
        let dataSets = ResizeArray<DataSet>()

        let addSignal name source pos =
            bindings.[name] <- BoundSignal name

            signals.Add {
                Name = name
                Source = source
                Pos = pos
            }

        for s in statements do
            match s.Statement with
            | SignalDef(n, _, _) ->
                define n
                bindings.[n.Text] <- BoundSignal n.Text
            | DataDef(n, source, opts) ->
                define n
                let d = readDataSet baseDir n source opts value
                dataSets.Add d

                d.Features
                |> List.iteri (fun i _ -> addSignal (d.FeatureSignal i) (DataFeature(d.Name, i)) (Some n.Pos))

                d.Targets
                |> List.iteri (fun k _ -> addSignal (d.TargetSignal k) (DataTarget(d.Name, k)) (Some n.Pos))
            | FormDef(n, o, ps, body) ->
                if
                    forms.ContainsKey n.Text
                    && not (Forms.prelude |> List.exists (fun f -> f.Name = n.Text))
                then
                    Errors.fail DuplicateName n.Pos $"form '{n.Text}' is already defined"

                forms.[n.Text] <- Forms.ofStatement n o ps body
            | CoordDecl(_, n, _, _) ->
                define n
                bindings.[n.Text] <- BoundSymbol { Name = n.Text; Kind = Coordinate }
            | ConstraintDef(n, _, _) -> define n
            | _ -> ()

        // Formula signals: expressions of t; their bodies may use parameters and other signals.
        for s in statements do
            match s.Statement with
            | SignalDef(n, arg, body) ->
                let sc =
                    Resolve.scope
                        (fun name ->
                            if name = arg.Text then
                                Some(BoundValue Calculus.timeExpr)
                            else
                                lookup name)
                        Elsewhere

                let e = Resolve.toExpr sc body

                let bad =
                    Calculus.freeSymbols e
                    |> Set.filter (fun x -> x.Kind <> Parameter && x.Kind <> Time)

                if not bad.IsEmpty then
                    Errors.fail
                        InvalidModel
                        body.Pos
                        $"signal '{n.Text}' may depend only on {arg.Text} and parameters, not on {bad.MinimumElement}"

                signals.Add {
                    Name = n.Text
                    Source = Formula e
                    Pos = Some n.Pos
                }
            | _ -> ()

        // A formula signal may use other signals, but not itself through them: its value and
        // derivatives would never finish. Depth-first with an explicit stack, reported at the
        // first signal of the cycle.
        let formulaDeps =
            signals
            |> Seq.choose (fun s ->
                match s.Source with
                | Formula e -> Some(s.Name, (Calculus.signals e |> Map.keys |> List.ofSeq, s.Pos))
                | _ -> None)
            |> Map.ofSeq

        let visit = Collections.Generic.Dictionary<string, int>() // 1 open, 2 done

        for KeyValue(root, _) in formulaDeps do
            if not (visit.ContainsKey root) then
                let stack = Collections.Generic.Stack<string * string list>()
                let path = ResizeArray<string>()
                stack.Push((root, fst formulaDeps.[root]))
                visit.[root] <- 1
                path.Add root

                while stack.Count > 0 do
                    match stack.Pop() with
                    | name, [] ->
                        visit.[name] <- 2
                        path.RemoveAt(path.Count - 1)
                    | name, next :: rest ->
                        stack.Push((name, rest))

                        match visit.TryGetValue next, formulaDeps.TryFind next with
                        | (true, 1), _ ->
                            let cycle = [ yield! path |> Seq.skipWhile (fun n -> n <> next); next ]
                            let arrow = " -> "

                            let message =
                                $"signal '{next}' is defined in terms of itself: {String.Join(arrow, cycle)}"

                            match snd formulaDeps.[next] with
                            | Some p -> Errors.fail InvalidModel p message
                            | None -> Errors.failAnywhere InvalidModel message
                        | (true, _), _
                        | _, None -> ()
                        | _, Some(deps, _) ->
                            visit.[next] <- 1
                            path.Add next
                            stack.Push((next, deps))

        // ---- pass 2: coordinates, constraints, terms ----
        let coords = ResizeArray<Coordinate>()
        let constraints = ResizeArray<Constraint>()
        let networks = ResizeArray<NetworkInfo>()

        let expr ctx (e: SExpr) =
            Resolve.toExpr (Resolve.scope lookup ctx) e

        let mutable dissipation: Expr option = None
        let losses = ResizeArray<Expr>()
        let forces = ResizeArray<Expr>()
        let mutable sim = SimulationSettings.Default

        for s in statements do
            match s.Statement with
            | CoordDecl(kind, n, eq, opts) ->
                let pick f = opts |> List.tryPick f

                let has f = opts |> List.exists f

                if has _.IsInit && has _.IsGuess then
                    Errors.fail
                        InvalidModel
                        n.Pos
                        $"'{n.Text}' has both 'init' and 'guess': 'init' fixes the start, 'guess' only suggests one"

                let mass =
                    pick (function
                        | Mass e -> Some(expr Elsewhere e)
                        | _ -> None)
                    |> Option.defaultValue Expr.one

                coords.Add {
                    Name = n.Text
                    Kind = kind
                    Mass = mass
                    Init =
                        pick (function
                            | Init e -> Some(expr Elsewhere e)
                            | _ -> None)
                    InitVelocity =
                        pick (function
                            | InitVelocity e -> Some(expr Elsewhere e)
                            | _ -> None)
                    Guess =
                        pick (function
                            | Guess e -> Some(expr Elsewhere e)
                            | _ -> None)
                    Pos = Some n.Pos
                }

                match eq with
                | Some rhs ->
                    let g = Expr.sub (Expr.sym n.Text Coordinate) (expr (InConstraint n.Text) rhs)

                    constraints.Add {
                        Name = n.Text
                        G = g
                        Pos = Some n.Pos
                    }
                | None ->
                    if kind = InputCoord then
                        Errors.fail InvalidModel n.Pos $"input '{n.Text}' needs its signal: input {n.Text} = e(t)"
            | ConstraintDef(n, l, r) ->
                let g = Expr.sub (expr (InConstraint n.Text) l) (expr (InConstraint n.Text) r)

                constraints.Add {
                    Name = n.Text
                    G = g
                    Pos = Some n.Pos
                }
            | Dissipation e ->
                if dissipation.IsSome then
                    Errors.fail DuplicateName e.Pos "the dissipation is given twice"

                let varpi = expr Elsewhere e

                // A constant dissipation must be positive (a time-dependent one is checked when derived).
                if
                    (Calculus.signals varpi).IsEmpty
                    && Calculus.freeSymbols varpi |> Set.forall (fun x -> x.Kind = Parameter)
                then
                    let v = constant paramValues varpi

                    if not (v > 0.0 && Double.IsFinite v) then
                        Errors.fail
                            InvalidModel
                            e.Pos
                            $"the dissipation varpi must be positive and finite, got {Print.realText v}"

                dissipation <- Some varpi
            | LossTerm e -> losses.Add(expr Elsewhere e)
            | ForceTerm e -> forces.Add(expr InForce e)
            | Network(shape, n, opts, p) -> ()
            | _ -> ()

        // Networks after hand-written coordinates, so their names are known for duplicates.
        for s in statements do
            match s.Statement with
            | Network(shape, n, opts, p) ->
                let spec =
                    NetworkStatement.spec baseDir (expr Elsewhere) value (List.ofSeq dataSets) shape n opts p

                let parts =
                    Networks.build (forms |> Seq.map (fun kv -> kv.Key, kv.Value) |> Map.ofSeq) lookup spec

                for c in parts.Coordinates do
                    define { Text = c.Name; Pos = p }
                    bindings.[c.Name] <- BoundSymbol c.Symbol

                coords.AddRange parts.Coordinates
                constraints.AddRange parts.Constraints
                losses.Add parts.Loss
                networks.Add parts.Info
            | _ -> ()

        // The simulate line last: its plots may name network coordinates.
        for s in statements do
            match s.Statement with
            | Simulate(opts, _) -> sim <- Settings.simulation (expr Elsewhere) value sim opts
            | _ -> ()

        Check.finish
            modelName
            parameters
            signals
            dataSets
            coords
            constraints
            (defaultArg dissipation Expr.one)
            losses
            forces
            networks
            sim

    /// Parses and elaborates a model file's text.
    let ofText (baseDir: string) (overrides: Map<string, float>) (text: string) =
        elaborate baseDir overrides (Parser.parse text)

    let ofFile (overrides: Map<string, float>) (path: string) =
        ofText (nonNull (Path.GetDirectoryName(Path.GetFullPath path))) overrides (File.ReadAllText path)
