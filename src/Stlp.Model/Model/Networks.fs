namespace Stlp.Model

open Stlp.Model.Syntax

type NetworkShape =
    /// Layer sizes, inputs first.
    | Layers of int list
    /// Vertices and edges (source, target); cycles allowed.
    | Graph of vertices: string list * edges: (string * string) list

type WeightInit =
    | ConstantWeights of float
    /// Uniform in [-scale, scale] from a seeded generator, reproducible.
    | RandomWeights of scale: float * seed: int
    /// The values a run wrote to `weights.json` (weights and biases by coordinate name).
    | WeightsFrom of file: string * values: Map<string, float>

/// Everything a network builder needs; the `.stlp` `network` statement, the F# DSL and the C#
/// API all fill this in.
type NetworkSpec = {
    Name: string
    Shape: NetworkShape
    Activation: string
    /// One activation per non-input layer (feedforward), overriding `Activation`; empty: the same for all.
    LayerActivations: string list
    /// The form for non-input neurons; None: `neuron` (feedforward) or `slack_neuron` (digraph).
    Form: string option
    /// One form per non-input layer (feedforward), overriding `Form`; empty: the same for all.
    LayerForms: string list
    /// Signals for the input neurons, in order (feedforward) or by vertex (digraph).
    Inputs: (string option * Expr) list
    /// Targets for the output neurons, in order (feedforward) or by vertex (digraph).
    Targets: (string option * Expr) list
    /// Digraph: signals that enter a vertex's sum directly, with no weight (`drive h = u(t)`).
    Drives: (string * Expr) list
    MassNeuron: Expr
    MassWeight: Expr
    MassSlack: Expr
    Init: WeightInit
    /// "quadratic" (the paper's) or "crossentropy" (for logistic outputs).
    LossKind: string
    /// Digraph only: force slack variables on or off (default: on when the graph has a cycle).
    Slack: bool option
    DataSet: string option
    Pos: SourcePos option
} with

    static member Create(name, shape) = {
        Name = name
        Shape = shape
        Activation = "tanh"
        LayerActivations = []
        Form = None
        Inputs = []
        Targets = []
        Drives = []
        LayerForms = []
        MassNeuron = Expr.one
        MassWeight = Expr.one
        MassSlack = Expr.one
        Init = RandomWeights(0.5, 1)
        LossKind = "quadratic"
        Slack = None
        DataSet = None
        Pos = None
    }

/// What a builder adds to a model.
type NetworkParts = {
    Coordinates: Coordinate list
    Constraints: Constraint list
    Loss: Expr
    Info: NetworkInfo
}

/// Network builders: feedforward layers and arbitrary digraphs (recurrent ones with slack
/// variables, eqs. 11-12), instantiating declarative constraint forms for every neuron.
module Networks =
    let private fail (spec: NetworkSpec) msg =
        match spec.Pos with
        | Some p -> Errors.fail InvalidModel p $"network '{spec.Name}': {msg}"
        | None -> Errors.failAnywhere InvalidModel $"network '{spec.Name}': {msg}"

    let private findForm (spec: NetworkSpec) (forms: Map<string, ConstraintForm>) name =
        match forms.TryFind name with
        | Some f -> f
        | None -> fail spec $"undefined constraint form '{name}'"

    let private coordinate name kind mass init = {
        Name = name
        Kind = kind
        Mass = mass
        Init = init
        InitVelocity = None
        Guess = None
        Pos = None
    }

    let private lossTerm (spec: NetworkSpec) (target: Expr) (output: Expr) =
        match spec.LossKind with
        | "quadratic" -> Expr.mul [ Expr.num (Rational.Create(1I, 2I)); Expr.sqr (Expr.sub target output) ]
        | "crossentropy" ->
            Expr.neg (
                Expr.add2
                    (Expr.mul2 target (Functions.log output))
                    (Expr.mul2 (Expr.sub Expr.one target) (Functions.log (Expr.sub Expr.one output)))
            )
        | other -> fail spec $"unknown loss '{other}' (quadratic or crossentropy)"

    /// Builds the parts for one network. `lookup` resolves global names used inside forms.
    let build
        (forms: Map<string, ConstraintForm>)
        (lookup: string -> Binding option)
        (spec: NetworkSpec)
        : NetworkParts =
        if (Functions.tryFind spec.Activation).IsNone then
            fail spec $"unknown activation '{spec.Activation}'"

        let rng =
            System.Random(
                match spec.Init with
                | RandomWeights(_, s) -> s
                | _ -> 0
            )

        let initWeight (name: string) =
            match spec.Init with
            | WeightsFrom(file, values) ->
                match values.TryFind name with
                | Some v -> Expr.real v
                | None -> fail spec $"{file} has no value for weight '{name}'"
            | ConstantWeights v -> Expr.real v
            | RandomWeights(scale, _) -> Expr.real (System.Math.Round((2.0 * rng.NextDouble() - 1.0) * scale, 6))

        let inputForm = findForm spec forms "input"
        let coords = ResizeArray<Coordinate>()
        let constraints = ResizeArray<Constraint>()
        let weights = ResizeArray<string>()
        let layout = ResizeArray<NeuronLayout>()
        let instances = ResizeArray<FormInstance>()
        let templates = System.Collections.Generic.Dictionary<string, FormTemplate>()

        /// The form with this activation derived once over index symbols, for the loops.
        let templateOf (form: ConstraintForm) (activation: string) =
            let key = Forms.templateKey form activation

            if not (templates.ContainsKey key) then
                templates.[key] <- Forms.template form lookup activation

            key

        /// One non-input neuron: its coordinate, its weights, the scalars its form asks for, and
        /// the constraint.
        let neuron
            (form: ConstraintForm)
            (activation: string)
            (name: string)
            (sources: string list)
            (weightName: string -> string)
            =
            coords.Add(coordinate name NeuronCoord spec.MassNeuron None)

            let ws =
                sources
                |> List.map (fun s ->
                    let w = weightName s
                    coords.Add(coordinate w WeightCoord spec.MassWeight (Some(initWeight w)))
                    weights.Add w
                    w)

            let scalars =
                form.Scalars
                |> List.map (fun (p, kind) ->
                    match kind with
                    | None -> fail spec $"form '{form.Name}' needs a value for '{p}', which a network cannot supply"
                    | Some k ->
                        let cname = $"{p}_{name}"

                        let mass, init =
                            match k with
                            | SlackCoord -> spec.MassSlack, Some Expr.zero
                            | WeightCoord ->
                                match spec.Init with
                                | WeightsFrom(_, values) when values.ContainsKey cname ->
                                    spec.MassWeight, Some(Expr.real values.[cname])
                                | _ -> spec.MassWeight, Some Expr.zero
                            | _ -> spec.MassNeuron, None

                        coords.Add(coordinate cname k mass init)

                        if k = WeightCoord then
                            weights.Add cname

                        Expr.sym cname Coordinate)

            // The scalar coordinates, named as above.
            let named = form.Scalars |> List.map (fun (p, kind) -> kind, $"{p}_{name}")

            let bias =
                named
                |> List.tryPick (fun (k, n) -> if k = Some WeightCoord then Some n else None)

            layout.Add {
                Name = name
                Sources = Array.ofList sources
                Weights = Array.ofList ws
                Bias = defaultArg bias ""
                OtherScalars =
                    named
                    |> List.filter (fun (k, _) -> k <> Some WeightCoord)
                    |> List.map snd
                    |> Array.ofList
            }

            let sym n = Expr.sym n Coordinate

            // An unweighted drive is one more term of the sum, with the constant 1 for its weight.
            let drives = spec.Drives |> List.filter (fun (v, _) -> v = name) |> List.map snd

            if not drives.IsEmpty && form.Arrays.Length < 2 then
                fail spec $"form '{form.Name}' has no weighted sum for the drive of '{name}'"

            let arrays =
                [
                    (sources |> List.map sym) @ drives |> Array.ofList
                    (ws |> List.map sym) @ (drives |> List.map (fun _ -> Expr.one)) |> Array.ofList
                ]
                |> List.truncate form.Arrays.Length

            let g = Forms.instantiate form lookup activation name (sym name) arrays scalars
            constraints.Add { Name = name; G = g; Pos = spec.Pos }

            instances.Add {
                Constraint = name
                Template = templateOf form activation
                Output = name
                Sources = Array.ofList sources
                Weights = Array.ofList ws
                Scalars = named |> List.filter (fun (k, _) -> k.IsSome) |> List.map snd |> Array.ofList
                Signals = [||]
                HasDrives = not drives.IsEmpty
            }

        let input (name: string) (signal: Expr) =
            coords.Add(coordinate name InputCoord spec.MassNeuron None)

            let g =
                Forms.instantiate inputForm lookup spec.Activation name (Expr.sym name Coordinate) [] [ signal ]

            constraints.Add { Name = name; G = g; Pos = spec.Pos }

            instances.Add {
                Constraint = name
                Template = templateOf inputForm spec.Activation
                Output = name
                Sources = [||]
                Weights = [||]
                Scalars = [||]
                Signals = [| signal |]
                HasDrives = false
            }

        let layers, outputs =
            match spec.Shape with
            | Layers sizes ->
                if not spec.Drives.IsEmpty then
                    fail spec "'drive' is for digraphs: a feedforward layer takes its inputs through weights"

                if sizes.Length < 2 || List.exists (fun n -> n < 1) sizes then
                    fail spec "a feedforward network needs at least two layers of positive size"

                if spec.Inputs.Length <> sizes.[0] then
                    fail spec $"{sizes.[0]} input neurons but {spec.Inputs.Length} input signals"

                if spec.Targets.Length <> 0 && spec.Targets.Length <> List.last sizes then
                    fail spec $"{List.last sizes} output neurons but {spec.Targets.Length} targets"

                let form = findForm spec forms (defaultArg spec.Form "neuron")

                if not spec.LayerForms.IsEmpty && spec.LayerForms.Length <> sizes.Length - 1 then
                    fail
                        spec
                        $"{spec.LayerForms.Length} forms for {sizes.Length - 1} layers after the inputs (give one, or one per layer)"

                let formOf l =
                    if spec.LayerForms.IsEmpty then
                        form
                    else
                        findForm spec forms spec.LayerForms.[l - 1]

                if
                    not spec.LayerActivations.IsEmpty
                    && spec.LayerActivations.Length <> sizes.Length - 1
                then
                    fail
                        spec
                        $"{spec.LayerActivations.Length} activations for {sizes.Length - 1} layers after the inputs (give one, or one per layer)"

                let activationOf l =
                    if spec.LayerActivations.IsEmpty then
                        spec.Activation
                    else
                        spec.LayerActivations.[l - 1]

                let names = sizes |> List.mapi (fun l n -> [ for j in 1..n -> $"x{l}_{j}" ])
                List.iter2 (fun n (_, s) -> input n s) names.[0] spec.Inputs
                // Layer by layer, so G_x is unit lower triangular in this order.
                for l in 1 .. sizes.Length - 1 do
                    for j, n in List.indexed names.[l] do
                        neuron (formOf l) (activationOf l) n names.[l - 1] (fun src ->
                            let k = src.Substring(src.IndexOf '_' + 1)
                            $"w{l}_{j + 1}_{k}")

                names, List.last names
            | Graph(vertices, edges) ->
                if not spec.LayerActivations.IsEmpty || not spec.LayerForms.IsEmpty then
                    fail spec "a digraph has no layers: give it one activation and one form"

                for v, _ in spec.Drives do
                    if not (List.contains v vertices) then
                        fail spec $"drive vertex '{v}' is not in the graph"

                let inputNames = spec.Inputs |> List.map (fun (v, _) -> defaultArg v "")

                for v in inputNames do
                    if not (List.contains v vertices) then
                        fail spec $"input vertex '{v}' is not in the graph"

                let inEdges v =
                    edges |> List.filter (fun (_, b) -> b = v) |> List.map fst

                for v, _ in edges |> List.filter (fun (_, b) -> List.contains b inputNames) do
                    fail spec $"input vertex '{v}' cannot have in-edges"

                let cyclic =
                    // Kahn's algorithm: a cycle leaves vertices with in-edges.
                    let mutable remaining = Set.ofList vertices
                    let mutable progress = true

                    while progress do
                        let ready =
                            remaining
                            |> Set.filter (fun v -> inEdges v |> List.forall (fun s -> not (remaining.Contains s)))

                        progress <- not ready.IsEmpty
                        remaining <- remaining - ready

                    not remaining.IsEmpty

                let useSlack = defaultArg spec.Slack cyclic

                let form =
                    findForm spec forms (defaultArg spec.Form (if useSlack then "slack_neuron" else "neuron"))

                for v, s in spec.Inputs do
                    input (defaultArg v "") s

                for v in vertices |> List.filter (fun v -> not (List.contains v inputNames)) do
                    match inEdges v with
                    | [] when not (spec.Drives |> List.exists (fun (d, _) -> d = v)) ->
                        fail spec $"vertex '{v}' has no in-edges, no drive and is not an input"
                    | sources -> neuron form spec.Activation v sources (fun src -> $"w_{v}_{src}")

                [ vertices ], spec.Targets |> List.map (fun (v, _) -> defaultArg v "")

        let loss =
            match spec.Shape with
            | Layers _ when spec.Targets.IsEmpty -> []
            | Layers _ -> List.map2 (fun o (_, y) -> lossTerm spec y (Expr.sym o Coordinate)) outputs spec.Targets
            | Graph _ ->
                spec.Targets
                |> List.map (fun (v, y) -> lossTerm spec y (Expr.sym (defaultArg v "") Coordinate))
            |> Expr.add

        {
            Coordinates = List.ofSeq coords
            Constraints = List.ofSeq constraints
            Loss = loss
            Info = {
                Name = spec.Name
                Layers = layers
                Activation = spec.Activation
                LayerActivations =
                    match spec.Shape with
                    | Layers sizes when spec.LayerActivations.IsEmpty -> Array.create (sizes.Length - 1) spec.Activation
                    | Layers _ -> Array.ofList spec.LayerActivations
                    | Graph _ -> [| spec.Activation |]
                Weights = List.ofSeq weights
                Outputs = outputs
                DataSet = spec.DataSet
                LossKind = spec.LossKind
                Neurons = layout.ToArray()
                Instances = instances.ToArray()
                Templates = Array.ofSeq templates.Values
                LayerSizes =
                    match spec.Shape with
                    | Layers sizes -> Array.ofList sizes
                    | Graph _ -> [||]
            }
        }
