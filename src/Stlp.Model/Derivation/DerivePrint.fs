namespace Stlp.Model

open System
open System.Text
open System.Text.Json.Nodes

/// A derivation shown by name: text (one equation a line), LaTeX (a fragment with the paper's
/// symbols) and JSON (every expression as parseable text, plus the sparsity).
module DerivePrint =
    /// Every derived object as (key, expression), in reading order.
    let entries (d: Derivation) : (string * Expr) list =
        let q i = d.Q.[i].Name
        let c j = d.ConstraintNames.[j]

        [
            yield "L", d.Lagrangian
            yield "varpi", d.Varpi
            yield "V", d.Loss
            for KeyValue((i, j), e) in d.H do
                yield $"H[{q i},{q j}]", e
            for KeyValue((i, j), e) in d.HNorm do
                yield $"H~[{q i},{q j}]", e
            for i in 0 .. d.N - 1 do
                yield $"f[{q i}]", d.F.[i]
            for i in 0 .. d.N - 1 do
                yield $"f~[{q i}]", d.FNorm.[i]
            for j in 0 .. d.R - 1 do
                yield $"G[{c j}]", d.G.[j]
            for j in 0 .. d.R - 1 do
                for i, e in d.Gq.[j] do
                    yield $"G_q[{c j},{q i}]", e
            for j in 0 .. d.R - 1 do
                yield $"G_t[{c j}]", d.Gt.[j]
            // A derivation for a structured kernel has no symbolic gamma: its forms' gamma stands for it.
            if d.Gamma.Length = d.R then
                for j in 0 .. d.R - 1 do
                    yield $"gamma[{c j}]", d.Gamma.[j]
            match d.A, d.B, d.Qddot with
            | Some a, Some b, Some acc ->
                for (j, k), e in a do
                    yield $"A[{c j},{c k}]", e

                for j in 0 .. d.R - 1 do
                    yield $"b[{c j}]", b.[j]

                for i in 0 .. d.N - 1 do
                    yield $"qddot[{q i}]", acc.[i]
            | _ -> ()
        ]

    let stabilizationText (s: Stabilization) =
        match s with
        | NoStabilization -> "none"
        | Penalty c -> $"penalty c = {c} (c/2 sum G^2 added to V)"
        | Baumgarte(a, b) -> $"Baumgarte alpha = {a}, beta = {b} (gamma += 2 alpha Gdot + beta^2 G)"
        | Projection -> "projection onto G = 0, Gdot = 0 after each step (the equations are unchanged)"

    let private header (d: Derivation) = [
        $"""# model {d.Model.Name}: {d.N} coordinates q = ({String.Join(", ", d.Q |> Array.map (fun s -> s.Name))}), {d.R} constraints"""
        "# H qddot = f - G_q' lambda;  (G_q H^-1 G_q') lambda = G_q H^-1 f + gamma  (docs/equations.md §2)"
        "# normalized: H~ = H/varpi, f~ = f/varpi, lambda~ = lambda/varpi (docs/equations.md §3); A lambda~ = b"
        $"# stabilization: {stabilizationText d.Stabilization}"
    ]

    /// What a structured derivation's header adds: how its forms stand for the rows.
    let private formsNote = [
        "# structured (docs/equations.md §6): each form is derived once over index symbols: #x the row's output, #a the sum"
        "# over its in-edges of psi(#w, #in), #a'' that sum's second derivative without accelerations; a form's other symbols"
        "# are its scalars and signal parameters (#b, #e, ...). Row j's entries of G_q are dG/d#a times dpsi/d#w and dpsi/d#in"
        "# at that row (each holds the row's whole sum, so they are not printed one by one; `sparsity` lists where they are)."
        "# A = G_q H~^-1 G_q', b, the multipliers and qddot are computed from the rows numerically."
    ]

    /// The entries a print shows: with a structured derivation's forms, G_q's entries are left to the
    /// forms (printed one by one they grow as edges times fan-in: 1.2 GB at 784-100-10).
    let private shown (d: Derivation) (forms: (string * Expr) list) =
        entries d
        |> List.filter (fun (k, _) -> forms.IsEmpty || not (k.StartsWith("G_q[", StringComparison.Ordinal)))

    /// The text form; <paramref name="forms"/> are a structured derivation's forms (Loops.equations), printed first.
    let textWith (d: Derivation) (initial: InitialConditions option) (forms: (string * Expr) list) =
        let sb = StringBuilder()

        for l in header d do
            sb.AppendLine l |> ignore

        if not forms.IsEmpty then
            for l in formsNote do
                sb.AppendLine l |> ignore

            for k, e in forms do
                sb.Append(k).Append(" = ").AppendLine(Print.text e) |> ignore

        if not d.IsHDiagonal then
            sb.AppendLine
                "# H is not diagonal: A = G_q H~^-1 G_q' and qddot are computed numerically from H~, f~, G_q, gamma"
            |> ignore

        for k, e in shown d forms do
            sb.Append(k).Append(" = ").AppendLine(Print.text e) |> ignore

        for j in 0 .. d.R - 1 do
            let touched = d.Gq.[j] |> Array.map (fun (i, _) -> d.Q.[i].Name)

            sb.AppendLine($"""sparsity G[{d.ConstraintNames.[j]}]: {String.Join(", ", touched)}""")
            |> ignore

        match initial with
        | Some ic ->
            for c in ic.Changes do
                sb.AppendLine($"initial: {c}") |> ignore

            if ic.Changes.IsEmpty then
                sb.AppendLine "initial: the given start is consistent" |> ignore
        | None -> ()

        sb.ToString()

    let text (d: Derivation) (initial: InitialConditions option) = textWith d initial []

    let private latexKey (d: Derivation) (key: string) =
        // "H~[x1,x2]" -> \tilde{H}_{x_{1} x_{2}}
        let name, args =
            match key.IndexOf '[' with
            | -1 -> key, [||]
            | i -> key.Substring(0, i), key.Substring(i + 1, key.Length - i - 2).Split(',')

        let symbol =
            match name with
            | "varpi" -> "\\varpi"
            | "gamma" -> "\\gamma"
            | "H~" -> "\\tilde{H}"
            | "f~" -> "\\tilde{f}"
            | "G_q" -> "G_{q}"
            | "G_t" -> "G_{t}"
            | "qddot" -> "\\ddot{q}"
            | other -> other

        if args.Length = 0 then
            symbol
        else
            let sub = String.Join(" ", args |> Array.map Print.latexName)

            if name = "G_q" || name = "G_t" then
                $"{symbol}^{{{sub}}}"
            else
                $"{symbol}_{{{sub}}}"

    let latexWith (d: Derivation) (forms: (string * Expr) list) =
        let sb = StringBuilder()
        sb.AppendLine("\\begin{align*}") |> ignore

        // A form's key in words, its symbols' '#' and '_' escaped: \text{G[form neuron/tanh]}.
        let formKey (k: string) =
            "\\text{" + k.Replace("#", "\\#").Replace("_", "\\_") + "}"

        let formLines = forms |> List.map (fun (k, e) -> $"{formKey k} &= {Print.latex e}")

        let lines =
            formLines
            @ (shown d forms |> List.map (fun (k, e) -> $"{latexKey d k} &= {Print.latex e}"))

        sb.AppendLine(String.Join(" \\\\\n", lines)) |> ignore
        sb.AppendLine("\\end{align*}") |> ignore
        sb.ToString()

    let latex (d: Derivation) = latexWith d []

    let jsonWith (d: Derivation) (initial: InitialConditions option) (forms: (string * Expr) list) =
        let o = JsonObject()
        o["model"] <- JsonValue.Create d.Model.Name

        let arr (xs: string seq) =
            let a = JsonArray()

            for x in xs do
                a.Add(JsonValue.Create x)

            a

        o["coordinates"] <- arr (d.Q |> Array.map (fun s -> s.Name))
        o["constraints"] <- arr d.ConstraintNames
        o["multipliers"] <- arr (d.Lambda |> Array.map (fun s -> s.Name))
        let ex = JsonObject()

        for k, e in shown d forms do
            ex[k] <- JsonValue.Create(Print.text e)

        o["expressions"] <- ex

        if not forms.IsEmpty then
            let f = JsonObject()

            for k, e in forms do
                f[k] <- JsonValue.Create(Print.text e)

            o["forms"] <- f

        let sparsity = JsonObject()
        let touches = JsonObject()

        for j in 0 .. d.R - 1 do
            touches[d.ConstraintNames.[j]] <- arr (d.Gq.[j] |> Array.map (fun (i, _) -> d.Q.[i].Name))

        sparsity["touches"] <- touches
        let pattern = JsonArray()

        for j, k in d.APattern do
            pattern.Add(arr [ d.ConstraintNames.[j]; d.ConstraintNames.[k] ])

        sparsity["A"] <- pattern
        o["sparsity"] <- sparsity
        o["h_diagonal"] <- JsonValue.Create d.IsHDiagonal

        match initial with
        | Some ic ->
            let init = JsonObject()
            let qs = JsonObject()
            d.Q |> Array.iteri (fun i s -> qs[s.Name] <- JsonValue.Create ic.State.Q.[i])
            let vs = JsonObject()
            d.Q |> Array.iteri (fun i s -> vs[s.Name] <- JsonValue.Create ic.State.Qdot.[i])
            init["t"] <- JsonValue.Create ic.State.T
            init["q"] <- qs
            init["qdot"] <- vs
            init["changes"] <- arr ic.Changes
            o["initial"] <- init
        | None -> ()

        o.ToJsonString(
            Json.JsonSerializerOptions(
                WriteIndented = true,
                Encoder = Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping
            )
        )

    let json (d: Derivation) (initial: InitialConditions option) = jsonWith d initial []
