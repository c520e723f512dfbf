namespace Stlp.Model

/// A place in a model's source text (1-based).
[<Struct>]
type SourcePos = {
    Line: int
    Column: int
} with

    override p.ToString() = $"{p.Line}:{p.Column}"

/// The syntax tree of the model language, with a position on every node. The parser produces it;
/// `Elaborate` turns it into expressions and a model, so that errors can point at the text.
module Syntax =
    type SExpr = {
        Node: SNode
        Pos: SourcePos
        /// How deeply the node nests: calls, brackets, signs and powers each add a level; a chain
        /// of `+`/`-` or of `*`/`/` is one level however long (resolution flattens it).
        Depth: int
    }

    and SNode =
        /// A numeric literal as written: exact when it has no '.' and no exponent.
        | Number of text: string
        /// A name, with the number of primes after it (x' is a velocity, e''(t) a signal's second derivative).
        | Ident of name: string * primes: int
        | Call of name: string * primes: int * args: SExpr list
        /// `w[i]` inside a constraint form.
        | Index of name: string * index: SExpr
        | Unary of op: char * SExpr
        | Binary of op: char * SExpr * SExpr

    /// A name with where it was written.
    type Name = { Text: string; Pos: SourcePos }

    type CoordinateKind =
        | InputCoord
        | NeuronCoord
        | WeightCoord
        | SlackCoord
        | GenericCoord

    type CoordOption =
        | Mass of SExpr
        | Init of SExpr
        | InitVelocity of SExpr
        /// A start for a coordinate without `init` that completion may move.
        | Guess of SExpr

    /// A formal parameter of a constraint form.
    type FormParam =
        /// One value per instance: a new coordinate of the given kind (a bias is a weight), or,
        /// with `None` (written `e: signal`), a value the builder supplies, such as an input signal.
        | ScalarParam of Name * CoordinateKind option
        /// One value per in-edge (`in[]`, `w[]`), indexed by `i` in `sum(...)`.
        | ArrayParam of Name

    type NetworkOption =
        /// One activation for every layer, or one per non-input layer.
        | Activation of Name list
        /// One form for every layer, or one per non-input layer.
        | UseForm of Name list
        | Data of Name
        | Inputs of SExpr list
        | Targets of SExpr list
        | Masses of (Name * SExpr) list
        | InitWeights of random: bool * value: SExpr * seed: int option
        /// `init weights from "weights.json"`: the weights (and biases) a run reached.
        | InitWeightsFrom of path: string * at: SourcePos
        | Loss of Name
        | Edges of (Name * Name) list
        | InputVertex of Name * SExpr
        | TargetVertex of Name * SExpr
        /// `drive h = u(t)`: a signal that enters vertex h's sum directly, with no weight in front.
        | DriveVertex of Name * SExpr
        | Slack of bool

    type NetworkShape =
        | Feedforward of sizes: int list
        | Digraph

    type DataOption =
        | Target of Name * oneHot: bool
        /// A bare `onehot`: the target (the last column of a CSV, the labels of an IDX pair) is
        /// one-hot class indicators.
        | OneHot
        | Present of SExpr
        | Mollify of SExpr
        | Epochs of int
        | Split of SExpr
        | Seed of int
        | Standardize
        /// `shuffle off` keeps the rows in file order (the first `split` train); `shuffle on`
        /// (the default) shuffles them with the seed.
        | Shuffle of bool

    /// Where a data set's rows come from.
    type DataSource =
        /// `csv "PATH"`: a table with a header line.
        | Csv of path: string
        /// `idx "IMAGES" labels "LABELS"`: an IDX3 ubyte image file and an IDX1 ubyte label
        /// file (MNIST, Fashion-MNIST), each gzip'd or plain.
        | Idx of images: string * labels: string

    type SimOption =
        | Span of SExpr * SExpr
        | Step of SExpr
        | Method of Name
        | RelTol of SExpr
        | AbsTol of SExpr
        | Stabilize of Name * SExpr list
        | OutputEvery of SExpr
        | Outputs of Name list
        /// Expressions of t and q to plot against t (plot.png).
        | Plot of SExpr list

    type Statement =
        | ModelName of Name
        | Param of Name * SExpr
        | SignalDef of Name * arg: Name * SExpr
        | DataDef of Name * DataSource * DataOption list
        | CoordDecl of CoordinateKind * Name * equation: SExpr option * CoordOption list
        | ConstraintDef of Name * SExpr * SExpr
        | Dissipation of SExpr
        | LossTerm of SExpr
        | ForceTerm of SExpr
        | FormDef of Name * output: Name * FormParam list * SExpr
        | Network of NetworkShape * Name option * NetworkOption list * SourcePos
        | Simulate of SimOption list * SourcePos

    type Located = { Statement: Statement; Pos: SourcePos }
