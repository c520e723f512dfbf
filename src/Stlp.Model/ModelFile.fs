namespace Stlp.Model

open System
open System.Collections.Generic
open System.IO
open System.Runtime.InteropServices

/// Loading model files, for callers in any .NET language (the CLI is C#).
[<AbstractClass; Sealed>]
type ModelFile =
    /// Reads, parses and elaborates a model file; `overrides` replace parameter values.
    static member Load(path: string, overrides: IReadOnlyDictionary<string, float>) : Model =
        let map = overrides |> Seq.map (fun kv -> kv.Key, kv.Value) |> Map.ofSeq
        Elaborate.ofFile map path

    /// Parses and elaborates model text; relative data paths are read from `baseDirectory`.
    static member FromText(text: string, [<Optional; DefaultParameterValue(".")>] baseDirectory: string) : Model =
        Elaborate.ofText baseDirectory Map.empty text

    /// The error kind and a formatted message (with line, column and caret) for a model error.
    static member Describe(path: string, error: exn) : (ErrorKind * string) option =
        match error with
        | ModelError(kind, pos, message) ->
            let source = if File.Exists path then File.ReadAllText path else ""
            Some(kind, Errors.format path source kind pos message)
        | _ -> None

/// Deriving a loaded model, for callers in any .NET language.
[<AbstractClass; Sealed>]
type Derivations =
    /// Derives the system and completes the initial conditions (which also checks rank and H).
    static member Derive(model: Model, stabilization: Stabilization option) : Derivation * InitialConditions =
        let d = Derive.derive stabilization model
        let ic = InitialConditions.complete d (FormulaSignals model) model.ParameterValues
        d, ic

    /// Derives the constrained Euler-Lagrange system with the given stabilization.
    static member Derive(model: Model, stabilization: Stabilization) : Derivation =
        Derive.derive (Some stabilization) model

    /// Derives the system without the symbolic multiplier equation (A, b, qddot), for a
    /// structured kernel, which assembles and solves it numerically.
    static member DeriveForLoops(model: Model, stabilization: Stabilization) : Derivation =
        Derive.deriveWith false (Some stabilization) model

    /// Completes a consistent start (G = 0, Gdot = 0 at t0) with the model's signals.
    static member Start(derivation: Derivation, signals: FormulaSignals) : InitialConditions =
        InitialConditions.complete derivation signals derivation.Model.ParameterValues

    /// The state projected onto G = 0, Gdot = 0 (minimum mass-norm changes).
    static member Project(derivation: Derivation, signals: FormulaSignals, state: State) : State =
        InitialConditions.project derivation signals derivation.Model.ParameterValues state

    /// The derivation of `d` for a model that differs from `d.Model` only in values (parameters,
    /// starts, data seeds): the same expressions, so the same kernel. Null when anything symbolic
    /// differs (coordinates, masses, constraints, loss, force, dissipation, signals), and the
    /// model must be derived anew.
    static member Rebind(d: Derivation, model: Model) : Derivation | null =
        let m = d.Model

        let same =
            m.Coordinates.Length = model.Coordinates.Length
            && List.forall2
                (fun (a: Coordinate) (b: Coordinate) -> a.Name = b.Name && a.Mass = b.Mass)
                m.Coordinates
                model.Coordinates
            && m.Constraints.Length = model.Constraints.Length
            && List.forall2
                (fun (a: Constraint) (b: Constraint) -> a.Name = b.Name && a.G = b.G)
                m.Constraints
                model.Constraints
            && m.Loss = model.Loss
            && m.Force = model.Force
            && m.Dissipation = model.Dissipation
            && (m.Parameters |> List.map (fun p -> p.Name)) = (model.Parameters |> List.map (fun p -> p.Name))
            && m.Signals = model.Signals
            && (m.DataSets |> List.map (fun s -> s.Name, s.Features, s.Targets)) = (model.DataSets
                                                                                    |> List.map (fun s ->
                                                                                        s.Name, s.Features, s.Targets))

        if same then { d with Model = model } else null

    /// The message of a derivation error, if `error` is one.
    static member Describe(error: exn) : string option =
        match error with
        | DerivationError message -> Some message
        | DerivativeError message -> Some message
        | EvaluationError message -> Some message
        | _ -> None

    /// Parses a stabilization option: none, penalty C, baumgarte ALPHA BETA, projection.
    static member ParseStabilization(text: string) : Stabilization =
        let parts = text.Split([| ' '; ','; ':' |], StringSplitOptions.RemoveEmptyEntries)

        let num (s: string) =
            match Double.TryParse(s, Globalization.NumberStyles.Float, Globalization.CultureInfo.InvariantCulture) with
            | true, v when Double.IsFinite v -> v
            | _ -> invalidArg "text" $"stabilization '{text}': '{s}' is not a finite number"

        match parts with
        | [| "none" |] -> NoStabilization
        | [| "penalty"; c |] -> Penalty(num c)
        | [| "baumgarte"; a; b |] -> Baumgarte(num a, num b)
        | [| "projection" |] -> Projection
        | _ -> invalidArg "text" $"unknown stabilization '{text}' (none, penalty C, baumgarte ALPHA BETA, projection)"
