namespace Stlp.Model

open System
open System.Collections.Generic
open System.Runtime.InteropServices
open Stlp.Model.Syntax

/// Builds a model in code, fluently, with the same checks and the same network builders as a
/// `.stlp` file: the F# DSL and the C# API both use it.
type ModelBuilder(name: string) =
    let parameters = ResizeArray<Parameter>()
    let signals = ResizeArray<Signal>()
    let coords = ResizeArray<Coordinate>()
    let constraints = ResizeArray<Constraint>()
    let losses = ResizeArray<Expr>()
    let forces = ResizeArray<Expr>()
    let networks = ResizeArray<NetworkInfo>()
    let forms = Dictionary<string, ConstraintForm>()
    let names = HashSet<string>()
    let mutable dissipation = Expr.one
    let mutable sim = SimulationSettings.Default

    do
        for f in Forms.prelude do
            forms.[f.Name] <- f

    let define (n: string) =
        if n = "t" || not (names.Add n) then
            Errors.failAnywhere DuplicateName $"'{n}' is already defined"

    let lookup (n: string) : Binding option =
        if parameters.Exists(fun p -> p.Name = n) then
            Some(BoundSymbol { Name = n; Kind = Parameter })
        elif signals.Exists(fun s -> s.Name = n) then
            Some(BoundSignal n)
        elif coords.Exists(fun c -> c.Name = n) then
            Some(BoundSymbol { Name = n; Kind = Coordinate })
        else
            Resolve.builtinConstant n |> Option.map BoundValue

    // Optional arguments are nullable, so that C# callers can leave them out.
    let some (e: Expr | null) : Expr option =
        match e with
        | null -> None
        | e -> Some e

    let coordinate kind n (mass: Expr) (init: Expr | null) (velocity: Expr | null) =
        let init, velocity = some init, some velocity
        define n

        coords.Add {
            Name = n
            Kind = kind
            Mass = mass
            Init = init
            InitVelocity = velocity
            Guess = None
            Pos = None
        }

        Expr.sym n Coordinate

    let checkConstraint (cname: string) (g: Expr) =
        for f in Calculus.functionsUsed g do
            if not (Functions.find f).IsC2 then
                Errors.failAnywhere
                    NotSmooth
                    $"'{f}' is not twice continuously differentiable and cannot appear in constraint '{cname}'"

        let bad =
            Calculus.freeSymbols g
            |> Set.filter (fun s -> s.Kind = Velocity || s.Kind = Acceleration)

        if not bad.IsEmpty then
            Errors.failAnywhere
                InvalidModel
                $"constraint '{cname}' depends on {bad.MinimumElement}: constraints are G(t, q)"

    member _.Name = name

    /// A parameter with its default value; refer to it with `Sym.Param(name)`.
    member this.Param(n: string, value: float) =
        define n
        parameters.Add { Name = n; Value = value; Pos = None }
        this

    /// A signal e(t) given by an expression of t; refer to it with `Sym.Signal(name)`.
    member this.Signal(n: string, formula: Expr) =
        define n

        signals.Add {
            Name = n
            Source = Formula formula
            Pos = None
        }

        this

    /// An input neuron x = signal, with its constraint x - signal = 0.
    member this.Input
        (n: string, signal: Expr, mass: Expr, [<Optional; DefaultParameterValue(null: Expr | null)>] init: Expr | null)
        =
        let x = coordinate InputCoord n mass init null
        this.AddConstraint(n, Expr.sub x signal)

    /// A neuron x = rhs(q), with its constraint x - rhs = 0.
    member this.Neuron
        (n: string, rhs: Expr, mass: Expr, [<Optional; DefaultParameterValue(null: Expr | null)>] init: Expr | null)
        =
        let x = coordinate NeuronCoord n mass init null
        this.AddConstraint(n, Expr.sub x rhs)

    member this.Weight
        (
            n: string,
            mass: Expr,
            [<Optional; DefaultParameterValue(null: Expr | null)>] init: Expr | null,
            [<Optional; DefaultParameterValue(null: Expr | null)>] velocity: Expr | null
        ) =
        coordinate WeightCoord n mass init velocity |> ignore
        this

    member this.Slack(n: string, mass: Expr, [<Optional; DefaultParameterValue(null: Expr | null)>] init: Expr | null) =
        coordinate SlackCoord n mass init null |> ignore
        this

    member this.Coordinate
        (
            n: string,
            mass: Expr,
            [<Optional; DefaultParameterValue(null: Expr | null)>] init: Expr | null,
            [<Optional; DefaultParameterValue(null: Expr | null)>] velocity: Expr | null
        ) =
        coordinate GenericCoord n mass init velocity |> ignore
        this

    /// A constraint G(t, q) = 0.
    member this.AddConstraint(n: string, g: Expr) =
        if constraints.Exists(fun c -> c.Name = n) then
            Errors.failAnywhere DuplicateName $"constraint '{n}' is already defined"

        checkConstraint n g
        constraints.Add { Name = n; G = g; Pos = None }
        this

    member this.Dissipation(varpi: Expr) =
        dissipation <- varpi
        this

    /// Adds a term to the loss V (F = -varpi V).
    member this.Loss(v: Expr) =
        losses.Add v
        this

    /// Adds a term to the general F(t, q, qdot).
    member this.Force(f: Expr) =
        forces.Add f
        this

    /// Declares a constraint form in the model language, e.g.
    /// "leaky(x; in[], w[]) = x - 0.9*sigma(sum(w[i]*in[i]))".
    member this.Form(declaration: string) =
        match Parser.parse ("form " + declaration) with
        | [ { Statement = FormDef(n, o, ps, body) } ] -> forms.[n.Text] <- Forms.ofStatement n o ps body
        | _ -> Errors.failAnywhere InvalidModel $"not a form declaration: {declaration}"

        this

    /// Adds a network (feedforward or digraph) built from a specification.
    member this.Network(spec: NetworkSpec) =
        let allForms = forms |> Seq.map (fun kv -> kv.Key, kv.Value) |> Map.ofSeq
        let parts = Networks.build allForms lookup spec

        for c in parts.Coordinates do
            define c.Name

        coords.AddRange parts.Coordinates
        constraints.AddRange parts.Constraints
        losses.Add parts.Loss
        networks.Add parts.Info
        this

    member this.Simulate(settings: SimulationSettings) =
        sim <- settings
        this

    /// Time span and method; tolerances and steps left out (NaN) keep their defaults.
    member this.Simulate
        (
            t0: float,
            t1: float,
            method: string,
            [<Optional; DefaultParameterValue(Double.NaN)>] step: float,
            [<Optional; DefaultParameterValue(Double.NaN)>] rtol: float,
            [<Optional; DefaultParameterValue(Double.NaN)>] atol: float,
            [<Optional; DefaultParameterValue(Double.NaN)>] outputEvery: float
        ) =
        let given x = if Double.IsNaN x then None else Some x

        sim <- {
            sim with
                T0 = t0
                T1 = t1
                EndGiven = true
                Method = method
                Step = given step
                RelTol = defaultArg (given rtol) sim.RelTol
                AbsTol = defaultArg (given atol) sim.AbsTol
                OutputEvery = given outputEvery
        }

        this

    member this.Stabilize(s: Stabilization) =
        sim <- { sim with Stabilize = s }
        this

    /// The finished model, checked like a parsed one.
    member _.Build() : Model =
        Check.finish name parameters signals [] coords constraints dissipation losses forces networks sim

/// Symbols and functions for building expressions from C#: `Sym.Tanh(Sym.Coord("w") * x1)`.
[<AbstractClass; Sealed>]
type Sym =
    static member T = Calculus.timeExpr
    static member Coord(n: string) = Expr.sym n Coordinate
    static member Param(n: string) = Expr.sym n Parameter
    /// The signal e(t); `order` 1 and 2 are its derivatives.
    static member Signal(n: string, [<Optional; DefaultParameterValue(0)>] order: int) = Expr.signal n order
    static member Num(n: int) = Expr.ofInt n
    static member Num(x: float) = Expr.real x

    static member Ratio(p: int, q: int) =
        Expr.num (Rational.Create(Numerics.BigInteger p, Numerics.BigInteger q))

    static member Exp(x: Expr) = Functions.exp x
    static member Log(x: Expr) = Functions.log x
    static member Sqrt(x: Expr) = Functions.sqrt x
    static member Sin(x: Expr) = Functions.sin x
    static member Cos(x: Expr) = Functions.cos x
    static member Tanh(x: Expr) = Functions.tanh x
    static member Sigmoid(x: Expr) = Functions.sigmoid x
    static member Softplus(x: Expr) = Functions.softplus x
    static member Sum([<ParamArray>] xs: Expr[]) = Expr.add xs
    static member Square(x: Expr) = Expr.sqr x

    /// The partial derivative d e / d x.
    static member Diff(e: Expr, x: Symbol) = Calculus.diff x e

    /// The gradient of e with respect to the symbols, in their order.
    static member Gradient(e: Expr, symbols: Symbol seq) =
        Calculus.gradient e (List.ofSeq symbols) |> Array.ofList
