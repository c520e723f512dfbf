namespace Stlp.Model

open System
open System.Collections.Generic
open MathNet.Numerics.LinearAlgebra

/// A state of the system at time t.
type State = { T: float; Q: float[]; Qdot: float[] }

/// What the derived equations give at a state. Multipliers are in constraint order.
type Evaluation = {
    Qddot: float[]
    /// lambda~ = lambda / varpi.
    LambdaNormalized: float[]
    /// lambda = varpi lambda~; infinite where varpi overflows.
    Lambda: float[]
    G: float[]
    Gdot: float[]
}

/// Signal values for formula signals: e(t) and its derivatives by symbolic differentiation.
type FormulaSignals(model: Model) =
    let formulas =
        model.Signals
        |> List.choose (fun s ->
            match s.Source with
            | Formula e -> Some(s.Name, e)
            | _ -> None)
        |> Map.ofList

    let derivatives = Dictionary<string * int, Expr>()

    member this.Expression(name: string, order: int) : Expr =
        match derivatives.TryGetValue((name, order)) with
        | true, e -> e
        | _ ->
            let e =
                if order = 0 then
                    match formulas.TryFind name with
                    | Some e -> e
                    | None ->
                        raise (
                            EvaluationError
                                $"signal '{name}' comes from a data set; its values come from the runtime, not the model"
                        )
                else
                    Calculus.diff Calculus.time (this.Expression(name, order - 1))

            derivatives.[(name, order)] <- e
            e

    /// Values of the signals that are not formulas (data-set signals), supplied by the runtime.
    member val External: Func<string, int, float, float> | null = null with get, set

    /// The value of signal `name`'s `order`-th derivative at `t`.
    member this.Value(name: string, order: int, t: float, parameters: Map<string, float>) : float =
        if formulas.ContainsKey name then
            Evaluate.eval (this.Values(t, parameters, Map.empty)) (this.Expression(name, order))
        else
            match this.External with
            | null ->
                raise (
                    EvaluationError
                        $"signal '{name}' comes from a data set; its values come from the runtime, not the model"
                )
            | external -> external.Invoke(name, order, t)

    /// Values for every leaf at time t: parameters, named symbols, and signals.
    member this.Values(t: float, parameters: Map<string, float>, symbols: IReadOnlyDictionary<Symbol, float>) =
        { new IValues with
            member _.Symbol s =
                match s.Kind with
                | Time -> t
                | Parameter ->
                    match parameters.TryFind s.Name with
                    | Some v -> v
                    | None -> raise (EvaluationError $"no value for parameter '{s.Name}'")
                | _ ->
                    match symbols.TryGetValue s with
                    | true, v -> v
                    | _ -> raise (EvaluationError $"no value for '{s}'")

            member v.Signal(name, k) = this.Value(name, k, t, parameters)
        }

/// Numerical evaluation of a derivation: the reference that generated kernels are held to.
/// It uses the general path (dense H~, Cholesky) whatever the structure, so a diagonal and a
/// velocity-dependent H are computed the same way.
module Numerics =
    let private symbolValues (d: Derivation) (s: State) =
        let values = Dictionary<Symbol, float>()
        d.Q |> Array.iteri (fun i q -> values.[q] <- s.Q.[i])
        d.Qdot |> Array.iteri (fun i v -> values.[v] <- s.Qdot.[i])
        values :> IReadOnlyDictionary<Symbol, float>

    let private dense (n: int) (m: int) (entries: seq<int * int * float>) =
        let a = Matrix<float>.Build.Dense(n, m)

        for i, j, v in entries do
            a.[i, j] <- v

        a

    let private fail (s: State) (what: string) =
        raise (DerivationError $"at t = {s.T}: {what}")

    /// H~ must be positive definite: the coordinates of the first non-positive pivot are named.
    let private choleskyOrFail (d: Derivation) (s: State) (h: Matrix<float>) =
        let n = h.RowCount
        // Pivot by pivot, so the failing coordinate can be named.
        let l = Matrix<float>.Build.Dense(n, n)

        for j in 0 .. n - 1 do
            let mutable diag = h.[j, j]

            for k in 0 .. j - 1 do
                diag <- diag - l.[j, k] * l.[j, k]

            if not (diag > 0.0) then
                let coupled = [
                    for k in 0 .. n - 1 do
                        if k <> j && h.[j, k] <> 0.0 then
                            yield d.Q.[k].Name
                ]

                let also =
                    if coupled.IsEmpty then
                        ""
                    else
                        $""" (coupled with {String.Join(", ", coupled)})"""

                fail s $"H = d2L/dqdot2 is not positive definite at coordinate {d.Q.[j].Name}{also}: pivot {diag}"

            l.[j, j] <- sqrt diag

            for i in j + 1 .. n - 1 do
                let mutable v = h.[i, j]

                for k in 0 .. j - 1 do
                    v <- v - l.[i, k] * l.[j, k]

                l.[i, j] <- v / l.[j, j]

        l

    let private solveLower (l: Matrix<float>) (b: Vector<float>) =
        // L L' x = b by forward then back substitution (a general Solve would factor L again).
        let n = b.Count
        let x = b.ToArray()

        for i in 0 .. n - 1 do
            let mutable v = x.[i]

            for k in 0 .. i - 1 do
                v <- v - l.[i, k] * x.[k]

            x.[i] <- v / l.[i, i]

        for i in n - 1 .. -1 .. 0 do
            let mutable v = x.[i]

            for k in i + 1 .. n - 1 do
                v <- v - l.[k, i] * x.[k]

            x.[i] <- v / l.[i, i]

        Vector<float>.Build.DenseOfArray x

    let evaluate (d: Derivation) (signals: FormulaSignals) (parameters: Map<string, float>) (s: State) : Evaluation =
        let values = signals.Values(s.T, parameters, symbolValues d s)
        let n, r = d.N, d.R
        let hKeys = d.HNorm |> Map.toArray

        let gqFlat =
            d.Gq
            |> Array.mapi (fun j row -> row |> Array.map (fun (i, e) -> j, i, e))
            |> Array.concat

        let roots = [
            yield! hKeys |> Array.map snd
            yield! d.FNorm
            yield! gqFlat |> Array.map (fun (_, _, e) -> e)
            yield! d.Gamma
            yield! d.G
            yield! d.Gdot
            yield d.Varpi
        ]

        let v = Evaluate.many values roots |> Array.ofList
        let mutable at = 0

        let take k =
            let xs = v.[at .. at + k - 1]
            at <- at + k
            xs

        let hv = take hKeys.Length
        let fv = take n
        let gqv = take gqFlat.Length
        let gamma = take r
        let gv = take r
        let gdotv = take r
        let varpi = (take 1).[0]

        // A non-finite value is named with its cause (a loss divided by zero, a dissipation of
        // zero), a numerical failure, before it reaches the solves and reads as a singular matrix.
        let nonFinite quantity (x: float) =
            raise (Stlp.Runtime.Kernels.NumericalFailure(s.T, quantity, $"is {x}"))

        if Double.IsNaN varpi || varpi = 0.0 then
            raise (
                Stlp.Runtime.Kernels.NumericalFailure(
                    s.T,
                    "the dissipation varpi",
                    $"is {varpi} (it must be a nonzero number: H and f are divided by it; only its overflow is harmless)"
                )
            )

        hKeys
        |> Array.iteri (fun k ((i, j), _) ->
            if not (Double.IsFinite hv.[k]) then
                nonFinite $"the mass H~ = H / varpi at '{d.Q.[i].Name}', '{d.Q.[j].Name}'" hv.[k])

        fv
        |> Array.iteri (fun i x ->
            if not (Double.IsFinite x) then
                nonFinite
                    $"the force f~ at coordinate '{d.Q.[i].Name}' (from the loss, forces and velocity terms, over varpi)"
                    x)

        for values, what in [ gv, "G"; gdotv, "Gdot"; gamma, "gamma" ] do
            values
            |> Array.iteri (fun j x ->
                if not (Double.IsFinite x) then
                    nonFinite $"{what} of constraint '{d.ConstraintNames.[j]}'" x)

        Array.iter2
            (fun (j, i, _) x ->
                if not (Double.IsFinite x) then
                    nonFinite $"G_q of constraint '{d.ConstraintNames.[j]}' in '{d.Q.[i].Name}'" x)
            gqFlat
            gqv

        let gq () =
            dense r n (Array.map2 (fun (j, i, _) x -> j, i, x) gqFlat gqv)

        // H~ = M for networks: diagonal, solved entry by entry (a dense factor is O(n^3)).
        let solveH: Vector<float> -> Vector<float> =
            if hKeys |> Array.forall (fun ((i, j), _) -> i = j) then
                let diagonal = Array.zeroCreate n
                Array.iter2 (fun ((i, _), _) x -> diagonal.[i] <- x) hKeys hv

                diagonal
                |> Array.iteri (fun i x ->
                    if not (x > 0.0) then
                        fail s $"H = d2L/dqdot2 is not positive definite at coordinate {d.Q.[i].Name}: pivot {x}")

                fun b -> Vector<float>.Build.Dense(n, fun i -> b.[i] / diagonal.[i])
            else
                let h = dense n n (Array.map2 (fun ((i, j), _) x -> i, j, x) hKeys hv)
                solveLower (choleskyOrFail d s h)

        let f = Vector<float>.Build.DenseOfArray fv
        // X = H~^-1 [G_q' | f~].
        let hInvF = solveH f

        let lambda, qddot =
            if r = 0 then
                // No constraints: no multipliers, qddot = H~^-1 f~ (MathNet has no empty matrices).
                Vector<float>.Build.Dense 0, hInvF
            else
                let gq = gq ()

                let hInvGqT =
                    Matrix<float>.Build.DenseOfColumnVectors([ for j in 0 .. r - 1 -> solveH (gq.Row j) ])

                let a = gq * hInvGqT
                let b = gq * hInvF + Vector<float>.Build.DenseOfArray gamma

                let chol =
                    try
                        a.Cholesky()
                    with _ ->
                        fail s "the multiplier matrix G_q H^-1 G_q' is singular (constraints dependent)"

                let x = chol.Solve b

                if x.Exists(fun v -> not (Double.IsFinite v)) then
                    fail s "the multiplier matrix G_q H^-1 G_q' is singular (constraints dependent)"

                x, hInvF - hInvGqT * x

        {
            Qddot = qddot.ToArray()
            LambdaNormalized = lambda.ToArray()
            Lambda = lambda.ToArray() |> Array.map (fun x -> x * varpi)
            G = gv
            Gdot = gdotv
        }
