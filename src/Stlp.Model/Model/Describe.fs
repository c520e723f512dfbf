namespace Stlp.Model

open System
open System.Text
open System.Text.Json.Nodes
open Stlp.Model.Syntax

/// A model shown to a person (text, LaTeX) or a program (JSON). Positions are not part of it,
/// so a model built in code and the same model read from a file describe identically.
module Describe =

    /// A stabilization as the model language writes it.
    let stabilizationSyntax (s: Stabilization) =
        match s with
        | NoStabilization -> "none"
        | Penalty c -> $"penalty {Print.realText c}"
        | Baumgarte(a, b) -> $"baumgarte {Print.realText a} {Print.realText b}"
        | Projection -> "projection"

    /// The whole simulate line, as the model language writes it (it reads back to the same settings).
    let simulateLine (s: SimulationSettings) =
        let r = Print.realText

        [
            if s.EndGiven then
                yield $"from {r s.T0} to {r s.T1}"
            yield $"method {s.Method}"
            match s.Step with
            | Some h -> yield $"step {r h}"
            | None -> ()
            yield $"rtol {r s.RelTol}"
            yield $"atol {r s.AbsTol}"
            match s.OutputEvery with
            | Some h -> yield $"output every {r h}"
            | None -> ()
            yield $"stabilize {stabilizationSyntax s.Stabilize}"
            if not s.Plots.IsEmpty then
                yield "plot " + String.concat ", " (s.Plots |> List.map Print.text)
        ]
        |> String.concat ", "
        |> sprintf "simulate %s"

    let kindName k =
        match k with
        | InputCoord -> "input"
        | NeuronCoord -> "neuron"
        | WeightCoord -> "weight"
        | SlackCoord -> "slack"
        | GenericCoord -> "coord"

    let private signalText (s: Signal) =
        match s.Source with
        | Formula e -> $"{s.Name}(t) = {Print.text e}"
        | DataFeature(d, i) -> $"{s.Name}(t) = feature {i + 1} of data set {d}"
        | DataTarget(d, k) -> $"{s.Name}(t) = target {k + 1} of data set {d}"

    let private optText (e: Expr option) =
        e |> Option.map Print.text |> Option.defaultValue "free"

    let text (m: Model) =
        let sb = StringBuilder()
        let line (s: string) = sb.Append(s).Append('\n') |> ignore
        line $"model {m.Name}"

        for p in m.Parameters do
            line $"param {p.Name} = {Print.realText p.Value}"

        for s in m.Signals do
            line $"signal {signalText s}"

        for c in m.Coordinates do
            line (
                $"{kindName c.Kind} {c.Name}: mass {Print.text c.Mass}, init {optText c.Init}, velocity {optText c.InitVelocity}"
                + (c.Guess
                   |> Option.map (fun g -> $", guess {Print.text g}")
                   |> Option.defaultValue "")
            )

        for c in m.Constraints do
            line $"G[{c.Name}] = {Print.text c.G}"

        line $"varpi = {Print.text m.Dissipation}"
        line $"V = {Print.text m.Loss}"
        line $"F = {Print.text m.Force}"
        line $"L = {Print.text m.Lagrangian}"
        let s = m.Simulation

        line (simulateLine s)

        sb.ToString()

    let latex (m: Model) =
        let sb = StringBuilder()
        let line (s: string) = sb.Append(s).Append('\n') |> ignore
        line "\\begin{align*}"

        for c in m.Constraints do
            line $"G^{{{Print.latexName c.Name}}} &= {Print.latex c.G} \\\\"

        line $"\\varpi(t) &= {Print.latex m.Dissipation} \\\\"
        line $"V &= {Print.latex m.Loss} \\\\"

        if not (Expr.isZero m.Force) then
            line $"F &= {Print.latex m.Force} \\\\"

        line $"L &= {Print.latex m.Lagrangian}"
        line "\\end{align*}"
        sb.ToString()

    let json (m: Model) =
        let o = JsonObject()
        o["model"] <- JsonValue.Create m.Name
        let ps = JsonObject()

        for p in m.Parameters do
            ps[p.Name] <- JsonValue.Create p.Value

        o["parameters"] <- ps
        let ss = JsonArray()

        for s in m.Signals do
            ss.Add(JsonValue.Create(signalText s))

        o["signals"] <- ss
        let cs = JsonArray()

        for c in m.Coordinates do
            let j = JsonObject()
            j["name"] <- JsonValue.Create c.Name
            j["kind"] <- JsonValue.Create(kindName c.Kind)
            j["mass"] <- JsonValue.Create(Print.text c.Mass)

            let optional (e: Expr option) : JsonNode | null =
                match e with
                | Some e -> JsonValue.Create(Print.text e)
                | None -> null

            j["init"] <- optional c.Init
            j["velocity"] <- optional c.InitVelocity

            if c.Guess.IsSome then
                j["guess"] <- optional c.Guess

            cs.Add j

        o["coordinates"] <- cs
        let gs = JsonObject()

        for c in m.Constraints do
            gs[c.Name] <- JsonValue.Create(Print.text c.G)

        o["constraints"] <- gs
        o["varpi"] <- JsonValue.Create(Print.text m.Dissipation)
        o["V"] <- JsonValue.Create(Print.text m.Loss)
        o["F"] <- JsonValue.Create(Print.text m.Force)
        o["L"] <- JsonValue.Create(Print.text m.Lagrangian)

        o.ToJsonString(
            Json.JsonSerializerOptions(
                WriteIndented = true,
                Encoder = Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping
            )
        )
