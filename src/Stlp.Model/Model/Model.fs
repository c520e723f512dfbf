namespace Stlp.Model

open Stlp.Model.Syntax

/// A generalized coordinate with its mass and (optional) initial position and velocity.
type Coordinate = {
    Name: string
    Kind: CoordinateKind
    /// Mass m_i > 0, an expression of parameters.
    Mass: Expr
    Init: Expr option
    InitVelocity: Expr option
    /// Where completion starts a coordinate without `init` (it may move it); 0 when absent.
    Guess: Expr option
    Pos: SourcePos option
} with

    member c.Symbol = {
        Name = c.Name
        Kind = SymbolKind.Coordinate
    }

    member c.Expr = Expr.symbol c.Symbol

/// A holonomic constraint G(t, q) = 0.
type Constraint = {
    Name: string
    G: Expr
    Pos: SourcePos option
}

type Parameter = {
    Name: string
    Value: float
    Pos: SourcePos option
}

/// A training set that becomes signals: features `D_in1..`, targets `D_y1..` (docs/equations.md §8).
type DataSet = {
    Name: string
    Path: string
    /// The rows, read once when the model was elaborated.
    Table: DataTable
    TargetColumn: string
    OneHot: bool
    /// Presentation time tau of each example.
    Present: float
    /// Mollifier width eps < tau/2.
    Mollify: float
    Epochs: int
    /// Fraction of rows used for training; the rest is held out.
    Split: float
    /// The seed of the shuffle (when `Shuffle`).
    Seed: int
    Standardize: bool
    /// Whether the rows are shuffled with `Seed` before the split; false keeps file order, so
    /// the first `Split` of the rows train and the last are held out.
    Shuffle: bool
    Features: string list
    /// Target names: one per class with one-hot, else the target column.
    Targets: string list
    Classes: string list
} with

    member d.FeatureSignal i = $"{d.Name}_in{i + 1}"
    member d.TargetSignal k = $"{d.Name}_y{k + 1}"

/// How a signal's value and its time derivatives are obtained.
type SignalSource =
    /// An expression of t (and parameters); its derivatives are taken symbolically.
    | Formula of Expr
    /// Column `index` of a data set's features, mollified.
    | DataFeature of dataSet: string * index: int
    /// Target `index` of a data set, mollified.
    | DataTarget of dataSet: string * index: int

type Signal = {
    Name: string
    Source: SignalSource
    Pos: SourcePos option
}

type Stabilization =
    | NoStabilization
    /// The paper's fix: add c/2 sum (G^j)^2 to V.
    | Penalty of c: float
    /// Gddot + 2 alpha Gdot + beta^2 G = 0.
    | Baumgarte of alpha: float * beta: float
    /// Project q onto G = 0 and qdot onto Gdot = 0 after each step.
    | Projection

type SimulationSettings = {
    T0: float
    T1: float
    /// Whether the model gave the end time; without it a run on a data set ends after its last epoch.
    EndGiven: bool
    Step: float option
    Method: string
    RelTol: float
    AbsTol: float
    Stabilize: Stabilization
    OutputEvery: float option
    Outputs: string list
    /// Expressions plotted against t in plot.png.
    Plots: Expr list
} with

    /// The fixed step, for C# callers: null when not given.
    member s.FixedStep: System.Nullable<float> =
        match s.Step with
        | Some h -> System.Nullable h
        | None -> System.Nullable()

    /// The output interval, for C# callers: null when not given.
    member s.OutputInterval: System.Nullable<float> =
        match s.OutputEvery with
        | Some h -> System.Nullable h
        | None -> System.Nullable()

    static member Default = {
        T0 = 0.0
        T1 = 10.0
        EndGiven = false
        Step = None
        Method = "dopri5"
        RelTol = 1e-8
        AbsTol = 1e-10
        Stabilize = NoStabilization
        OutputEvery = None
        Outputs = []
        Plots = []
    }

/// One non-input neuron of a network, as the builder wired it: the layout the learning
/// evaluation and the backprop baseline read, instead of rebuilding names from strings.
type NeuronLayout = {
    Name: string
    /// The neurons (or input neurons) feeding its sum, in the order of its weights.
    Sources: string[]
    /// The weight coordinate of each source.
    Weights: string[]
    /// The coordinate of its form's weight-kind scalar (the bias `b` of `biased`), or "" if none.
    Bias: string
    /// The coordinates of its form's other scalars (slacks, ...).
    OtherScalars: string[]
}

/// A constraint form with one activation, derived once over index symbols for the structured
/// kernels: `Phi` is the form with the in-edge sum replaced by the symbol `A` (so it is a
/// function of the neuron's output `X`, `A`, its scalars and its signal values), and `Edge` the
/// summand as a function of one edge's weight `W` and source `In`. Symbols are coordinates with
/// names that no model can write (they start with '#').
type FormTemplate = {
    /// "form/activation": the key the instances use.
    Key: string
    Form: string
    Activation: string
    Phi: Expr
    Edge: Expr option
    X: Symbol
    A: Symbol
    /// The coordinate scalars (bias, slack, ...), in the form's order.
    Scalars: Symbol list
    /// The signal parameters' values, in the form's order.
    Signals: Symbol list
    W: Symbol
    In: Symbol
    /// Why this form cannot be looped over (then the model keeps the straight-line kernel).
    Refusal: string option
}

/// One constraint a network builder instantiated from a form: a row of the structured kernel.
type FormInstance = {
    Constraint: string
    /// The key of its <see cref="FormTemplate"/>.
    Template: string
    Output: string
    /// The sum's sources and their weights (coordinates), edge by edge.
    Sources: string[]
    Weights: string[]
    /// The coordinates of the form's coordinate scalars, in the form's order.
    Scalars: string[]
    /// The values of the form's signal parameters, in the form's order.
    Signals: Expr[]
    /// Whether unweighted drive terms enter its sum (not looped over yet).
    HasDrives: bool
}

/// A network's record of which coordinates play which role, for training and evaluation.
type NetworkInfo = {
    Name: string
    /// Neuron names layer by layer (feedforward) or in vertex order (digraph).
    Layers: string list list
    Activation: string
    /// The activation of each layer after the inputs (feedforward); one entry for a digraph.
    LayerActivations: string[]
    Weights: string list
    Outputs: string list
    DataSet: string option
    LossKind: string
    /// Every non-input neuron in construction order (layer by layer for feedforward).
    Neurons: NeuronLayout[]
    /// Every constraint the builder made, inputs included, in construction order.
    Instances: FormInstance[]
    /// The forms those constraints instantiate, derived once each.
    Templates: FormTemplate[]
    /// Feedforward: the layer sizes, inputs first; a digraph: empty.
    LayerSizes: int[]
} with

    /// The data set it is trained on, for C# callers: null when none.
    member n.DataSetName: string | null =
        match n.DataSet with
        | Some d -> d
        | None -> null

/// A complete model: L = 1/2 varpi(t) qdot' M qdot + F(t, q, qdot), with F = Force - varpi * Loss,
/// and constraints G(t, q) = 0. (`Model` in F# code; the name differs from the namespace's for C#.)
type ModelDefinition = {
    Name: string
    Parameters: Parameter list
    Signals: Signal list
    DataSets: DataSet list
    Coordinates: Coordinate list
    Constraints: Constraint list
    /// varpi(t) > 0.
    Dissipation: Expr
    /// V(t, q): the loss; enters as F = -varpi V.
    Loss: Expr
    /// A general F(t, q, qdot) added to -varpi V.
    Force: Expr
    Networks: NetworkInfo list
    Simulation: SimulationSettings
} with

    member m.CoordinateSymbols = m.Coordinates |> List.map (fun c -> c.Symbol)

    member m.ParameterValues =
        m.Parameters |> List.map (fun p -> p.Name, p.Value) |> Map.ofList

    /// The Lagrangian L = 1/2 varpi qdot' M qdot + F - varpi V.
    member m.Lagrangian =
        let kinetic =
            m.Coordinates
            |> List.map (fun c -> Expr.mul [ c.Mass; Expr.sqr (Expr.symbol (Calculus.velocityOf c.Symbol)) ])
            |> Expr.add

        Expr.add [
            Expr.mul [ Expr.num (Rational.Create(1I, 2I)); m.Dissipation; kinetic ]
            m.Force
            Expr.neg (Expr.mul2 m.Dissipation m.Loss)
        ]

/// The F# name of a model definition.
type Model = ModelDefinition
