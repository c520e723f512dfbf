namespace Stlp.Model

open System.Collections.Generic
open Stlp.Ir

/// Lowering a network model to the loop IR (Stlp.Ir.LoopProgram): each constraint form derived
/// once over index symbols, the network's edges and index sets as data (docs/equations.md §6).
/// The structured kernels built from it cost O(edges) per evaluation, and their code depends on
/// the structure (forms, activations, loss), not on the sizes.
module Loops =
    let private zeroAccelerations (slots: Symbol list) (keep: (Symbol * Expr) list) (e: Expr) =
        let kept = dict keep

        Calculus.substitute
            [
                for s in slots ->
                    Expr.symbol (Calculus.accelerationOf s),
                    (match kept.TryGetValue s with
                     | true, v -> v
                     | _ -> Expr.zero)
            ]
            e

    /// Why the model cannot be looped over, or None. A model qualifies when every constraint is a
    /// neuron a network builder made from a form that derives once, H~ is the mass matrix
    /// (F = -varpi V), and the stabilization keeps the loss free of the constraints.
    let refusal (d: Derivation) : string option =
        let model = d.Model
        let instances = model.Networks |> List.collect (fun n -> List.ofArray n.Instances)
        let byName = instances |> List.map (fun i -> i.Constraint, i) |> dict

        let templates = model.Networks |> List.collect (fun n -> List.ofArray n.Templates)

        let claimed = HashSet<string>()

        let privateTwice =
            instances
            |> List.tryPick (fun i -> Array.append i.Weights i.Scalars |> Array.tryFind (fun c -> not (claimed.Add c)))

        if model.Networks.IsEmpty then
            Some "the model has no network statement"
        elif not (Expr.isZero model.Force) then
            Some "F(t, q, qdot) has a term beside the loss"
        elif not d.IsHDiagonal then
            Some "H = d2L/dqdot2 is not diagonal"
        elif d.Stabilization.IsPenalty then
            Some "the penalty stabilization puts every constraint into the loss"
        else
            match model.Constraints |> List.tryFind (fun c -> not (byName.ContainsKey c.Name)) with
            | Some c -> Some $"constraint '{c.Name}' is not a neuron of a network"
            | None ->
                match templates |> List.tryPick (fun t -> t.Refusal) with
                | Some why -> Some why
                | None ->
                    match instances |> List.tryFind (fun i -> i.HasDrives) with
                    | Some i -> Some $"neuron '{i.Constraint}' has a drive (an unweighted signal in its sum)"
                    | None ->
                        match privateTwice with
                        | Some c -> Some $"coordinate '{c}' is a weight or scalar of two neurons"
                        | None -> None

    /// A form's expressions over index symbols: its slots (x, a, a'' the sum's second derivative
    /// without accelerations, the coordinate scalars, and per signal parameter its value and second
    /// derivative), G = phi, Gdot, gamma (with the Baumgarte terms), and dphi/dx, dphi/da, dphi/ds.
    let private formExpressions (d: Derivation) (t: Stlp.Model.FormTemplate) =
        let sumCurvature = { Name = "#a''"; Kind = Coordinate }

        let signalSeconds =
            t.Signals
            |> List.map (fun s -> {
                Name = s.Name + "''"
                Kind = Coordinate
            })

        let slots =
            [ t.X; t.A; sumCurvature ]
            @ t.Scalars
            @ (List.zip t.Signals signalSeconds |> List.collect (fun (v, s) -> [ v; s ]))

        let phi = t.Phi
        let gdot = Calculus.timeDerivative phi

        let second =
            zeroAccelerations
                (t.X :: t.A :: t.Scalars @ t.Signals)
                ((t.A, Expr.symbol sumCurvature)
                 :: List.map2 (fun v s -> v, Expr.symbol s) t.Signals signalSeconds)
                (Calculus.timeDerivative gdot)

        let gamma =
            match d.Stabilization with
            | Baumgarte(alpha, beta) ->
                Expr.add [
                    second
                    Expr.mul [ Expr.real (2.0 * alpha); gdot ]
                    Expr.mul [ Expr.real (beta * beta); phi ]
                ]
            | _ -> second

        let partials = [ t.X; t.A ] @ t.Scalars |> List.map (fun s -> Calculus.diff s phi)
        slots, phi, gdot, gamma, partials

    /// A summand's expressions over one edge: psi, dpsi/dw, dpsi/din, its rate and its second
    /// derivative without accelerations.
    let private edgeExpressions (t: Stlp.Model.FormTemplate) (psi: Expr) =
        let rate = Calculus.timeDerivative psi
        let curvature = zeroAccelerations [ t.W; t.In ] [] (Calculus.timeDerivative rate)
        [| psi; Calculus.diff t.W psi; Calculus.diff t.In psi; rate; curvature |]

    /// Every form a qualifying model's networks use, derived once, as (key, expression) for
    /// printing: G, Gdot, gamma and the partials of each form, and its summand psi with its
    /// partials, rate and curvature. Index symbols start with '#': #x the row's output, #a the sum
    /// over its in-edges of psi(#w, #in), #a'' that sum's second derivative without accelerations.
    let equations (d: Derivation) : (string * Expr) list =
        let used = d.Model.Constraints |> List.map (fun c -> c.Name) |> HashSet

        [
            for n in d.Model.Networks do
                for t in n.Templates do
                    if
                        n.Instances
                        |> Array.exists (fun i -> i.Template = t.Key && used.Contains i.Constraint)
                    then
                        let _, phi, gdot, gamma, partials = formExpressions d t
                        let k = t.Key
                        yield $"G[form {k}]", phi
                        yield $"Gdot[form {k}]", gdot
                        yield $"gamma[form {k}]", gamma

                        for s, e in List.zip ([ t.X; t.A ] @ t.Scalars) partials do
                            yield $"dG/d{s.Name}[form {k}]", e

                        match t.Edge with
                        | Some psi ->
                            let e = edgeExpressions t psi
                            yield $"psi[form {k}]", e.[0]
                            yield $"dpsi/d{t.W.Name}[form {k}]", e.[1]
                            yield $"dpsi/d{t.In.Name}[form {k}]", e.[2]
                            yield $"psi'[form {k}]", e.[3]
                            yield $"psi''[form {k}]", e.[4]
                        | None -> ()
        ]
        |> List.distinctBy fst

    /// A form's element code: G, Gdot, gamma (with Baumgarte terms) and the partial derivatives,
    /// over the slots x, a, a'' (the sum's second derivative without accelerations), the
    /// coordinate scalars, and per signal parameter its value and second derivative.
    let private formTemplate (d: Derivation) (t: Stlp.Model.FormTemplate) : Stlp.Ir.FormTemplate =
        let slots, phi, gdot, gamma, partials = formExpressions d t
        let roots = Array.ofList ([ phi; gdot; gamma ] @ partials)

        let code, outputs, signals =
            Lower.lowerExpressions d.Model (Array.ofList slots) false true roots

        if signals.Length > 0 then
            raise (
                DerivationError
                    $"form '{t.Form}' reads the data signal '{signals.[0].Name}' directly; pass it as a signal parameter"
            )

        Stlp.Ir.FormTemplate(
            Key = t.Key,
            Equation = Print.text phi,
            SlotNames = (slots |> List.map (fun s -> s.Name) |> Array.ofList),
            Instructions = code,
            G = outputs.[0],
            Gdot = outputs.[1],
            Gamma = outputs.[2],
            OutputPartial = outputs.[3],
            SumPartial = outputs.[4],
            ScalarPartials = outputs.[5..],
            SignalCount = t.Signals.Length,
            HasSum = t.Edge.IsSome
        )

    let private edgeTemplate (d: Derivation) (t: Stlp.Model.FormTemplate) (psi: Expr) : EdgeTemplate =
        let code, outputs, _ =
            Lower.lowerExpressions d.Model [| t.W; t.In |] false true (edgeExpressions t psi)

        EdgeTemplate(
            Equation = Print.text psi,
            Instructions = code,
            Value = outputs.[0],
            WeightPartial = outputs.[1],
            SourcePartial = outputs.[2],
            Rate = outputs.[3],
            Curvature = outputs.[4]
        )

    /// Lowers a qualifying model (see `refusal`) to the loop IR.
    let lower (d: Derivation) : LoopProgram =
        match refusal d with
        | Some why -> raise (DerivationError $"the model cannot take the structured kernel: {why}")
        | None -> ()

        let model = d.Model
        let index = d.Q |> Array.mapi (fun i s -> s.Name, i) |> dict
        let instances = model.Networks |> List.collect (fun n -> List.ofArray n.Instances)
        let byName = instances |> List.map (fun i -> i.Constraint, i) |> dict
        let rows = model.Constraints |> List.map (fun c -> byName.[c.Name]) |> Array.ofList

        // The templates the rows use, in order of first use.
        let templates =
            model.Networks
            |> List.collect (fun n -> List.ofArray n.Templates)
            |> List.map (fun t -> t.Key, t)
            |> dict

        let used = rows |> Array.map (fun r -> r.Template) |> Array.distinct
        let formIndex = used |> Array.mapi (fun i k -> k, i) |> dict

        let summing =
            used |> Array.choose (fun k -> templates.[k].Edge |> Option.map (fun e -> k, e))

        let edgeExpr =
            match summing |> Array.map snd |> Array.distinct with
            | [||] -> None
            | [| psi |] -> Some psi
            | _ -> raise (DerivationError "the forms sum different summands; one kind of edge is supported")

        let ranges = ResizeArray<RowRange>()

        rows
        |> Array.iteri (fun j r ->
            let f = formIndex.[r.Template]

            if ranges.Count > 0 && ranges.[ranges.Count - 1].Form = f then
                let last = ranges.[ranges.Count - 1]
                ranges.[ranges.Count - 1] <- RowRange(f, last.Start, last.Count + 1)
            else
                ranges.Add(RowRange(f, j, 1)))

        let csr (pick: FormInstance -> 'a[]) =
            let starts = Array.zeroCreate (rows.Length + 1)

            rows |> Array.iteri (fun j r -> starts.[j + 1] <- starts.[j] + (pick r).Length)
            starts, rows |> Array.collect pick

        let edgeStart, sources = csr (fun r -> r.Sources)
        let _, weights = csr (fun r -> r.Weights)
        let scalarStart, scalars = csr (fun r -> r.Scalars)
        let signalStart, signalExprs = csr (fun r -> r.Signals)

        // The potential: varpi, varpi'/varpi, the distinct masses, V_q where it is not zero, and
        // each signal parameter with its first two derivatives.
        let masses = ResizeArray<Expr>()
        let massIndex = Dictionary<Expr, int>(HashIdentity.Reference)

        let massGroup =
            model.Coordinates
            |> List.map (fun c ->
                match massIndex.TryGetValue c.Mass with
                | true, g -> g
                | _ ->
                    masses.Add c.Mass
                    massIndex.[c.Mass] <- masses.Count - 1
                    masses.Count - 1)
            |> Array.ofList

        let lossCoordinates =
            Calculus.freeSymbols d.Loss
            |> Seq.filter (fun s -> s.Kind = Coordinate)
            |> Seq.sortBy (fun s -> index.[s.Name])
            |> List.ofSeq

        let gradient =
            List.zip lossCoordinates (Calculus.gradientReverse d.Loss lossCoordinates)
            |> List.filter (fun (_, g) -> not (Expr.isZero g))

        let signalTriples =
            signalExprs
            |> Array.collect (fun e ->
                let rate = Calculus.timeDerivative e
                [| e; rate; Calculus.timeDerivative rate |])

        let roots =
            Array.concat [
                [| d.Varpi; Calculus.diff Calculus.time (Functions.log d.Varpi) |]
                masses.ToArray()
                gradient |> List.map snd |> Array.ofList
                signalTriples
            ]

        let code, outputs, signalInputs = Lower.lowerExpressions model d.Q false true roots

        let potential =
            ObservableProgram(
                CoordinateNames = (d.Q |> Array.map (fun s -> s.Name)),
                ParameterNames = (model.Parameters |> List.map (fun p -> p.Name) |> Array.ofList),
                SignalInputs = signalInputs,
                Instructions = code,
                OutputNames =
                    Array.concat [
                        [| "varpi"; "dlog_varpi" |]
                        masses |> Seq.map (fun m -> $"mass {Print.text m}") |> Array.ofSeq
                        gradient |> List.map (fun (s, _) -> $"dV/d{s.Name}") |> Array.ofList
                        signalExprs
                        |> Array.collect (fun e ->
                            let p = Print.text e
                            [| p; $"d/dt {p}"; $"d2/dt2 {p}" |])
                    ],
                Outputs = outputs
            )

        // Rows layer by layer, each layer fed only by the one before: the §6.1 block solve applies.
        let layerSizes =
            match model.Networks with
            | [ n ] when n.LayerSizes.Length >= 2 && rows.Length = Array.sum n.LayerSizes -> n.LayerSizes
            | _ -> [||]

        let names = model.Parameters

        LoopProgram(
            ModelName = model.Name,
            CoordinateNames = (d.Q |> Array.map (fun s -> s.Name)),
            ConstraintNames = d.ConstraintNames,
            ParameterNames = (names |> List.map (fun p -> p.Name) |> Array.ofList),
            ParameterDefaults = (names |> List.map (fun p -> p.Value) |> Array.ofList),
            SignalInputs = signalInputs,
            Forms = (used |> Array.map (fun k -> formTemplate d templates.[k])),
            Edge =
                (edgeExpr
                 |> Option.map (edgeTemplate d templates.[fst summing.[0]])
                 |> Option.toObj),
            Ranges = ranges.ToArray(),
            RowOutput = (rows |> Array.map (fun r -> index.[r.Output])),
            RowEdgeStart = edgeStart,
            EdgeSource = (sources |> Array.map (fun n -> index.[n])),
            EdgeWeight = (weights |> Array.map (fun n -> index.[n])),
            RowScalarStart = scalarStart,
            ScalarCoordinate = (scalars |> Array.map (fun n -> index.[n])),
            RowSignalStart = signalStart,
            Potential = potential,
            MassGroupCount = masses.Count,
            MassGroup = massGroup,
            GradientCoordinates = (gradient |> List.map (fun (s, _) -> index.[s.Name]) |> Array.ofList),
            SignalSlotNames = (signalExprs |> Array.map Print.text),
            LayerSizes = layerSizes
        )
