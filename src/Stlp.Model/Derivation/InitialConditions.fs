namespace Stlp.Model

open System
open MathNet.Numerics.LinearAlgebra

/// A consistent start (docs/equations.md §4, eq. 17) and what was changed to reach it.
type InitialConditions = {
    State: State
    /// One line per completed or corrected value, for the user.
    Changes: string list
}

/// Completes the initial state so that G = 0 and Gdot = 0 at t0: Newton on G for the coordinates
/// without an initial value, then the minimum-M-norm correction of the velocities without one.
/// Checks Proposition 1 (G_q of full row rank) and that H is positive definite there.
module InitialConditions =
    let private tolerance = 1e-13

    let private evalAll (d: Derivation) (signals: FormulaSignals) parameters (s: State) (roots: Expr list) =
        let values = Collections.Generic.Dictionary<Symbol, float>()
        d.Q |> Array.iteri (fun i q -> values.[q] <- s.Q.[i])
        d.Qdot |> Array.iteri (fun i v -> values.[v] <- s.Qdot.[i])
        Evaluate.many (signals.Values(s.T, parameters, values)) roots |> Array.ofList

    /// The nonzero entries (row, column, value) of G_q at a state: sparse, as G_q is (a network's
    /// row touches its in-edges only), so that completion costs follow the edges, not n r.
    let private gqEntries (d: Derivation) (signals: FormulaSignals) parameters (s: State) =
        let flat =
            d.Gq
            |> Array.mapi (fun j row -> row |> Array.map (fun (i, e) -> j, i, e))
            |> Array.concat

        let v = evalAll d signals parameters s [ for _, _, e in flat -> e ]
        Array.map2 (fun (j, i, _) x -> j, i, x) flat v

    /// Rows of G_q that depend on earlier rows: Gram-Schmidt on the rows with a relative
    /// threshold (1e-7 of the row's norm), done as a Cholesky of the Gram matrix G_q G_q' (assembled from the sparse
    /// entries by column), whose pivot at row j is the squared norm of what Gram-Schmidt leaves.
    let dependentRows (rows: int) (entries: (int * int * float)[]) =
        let gram = Array2D.zeroCreate rows rows
        let norms = Array.zeroCreate rows

        for _, group in entries |> Array.groupBy (fun (_, i, _) -> i) do
            for j, _, x in group do
                norms.[j] <- norms.[j] + x * x

                for k, _, y in group do
                    if k <= j then
                        gram.[j, k] <- gram.[j, k] + x * y

        // The factor by position among the rows kept: l.[p].[p'] for the p-th kept row.
        let l = ResizeArray<float[]>()
        let kept = ResizeArray<int>()

        [
            for j in 0 .. rows - 1 do
                let row = Array.zeroCreate (kept.Count + 1)
                let mutable rest = norms.[j]

                for p in 0 .. kept.Count - 1 do
                    let lk = l.[p]
                    let mutable v = gram.[j, kept.[p]]

                    for r in 0 .. p - 1 do
                        v <- v - row.[r] * lk.[r]

                    row.[p] <- v / lk.[p]
                    rest <- rest - row.[p] * row.[p]

                // What Gram-Schmidt leaves of the row, squared, cancels to about eps |row|^2 here: a
                // row within 1e-7 of the span of those before counts as dependent.
                if rest <= 1e-14 * max 1.0 norms.[j] then
                    yield j
                else
                    row.[kept.Count] <- sqrt rest
                    l.Add row
                    kept.Add j
        ]

    /// A Levenberg-Marquardt step on the `free` columns of G_q (sparse entries): the minimum
    /// M-norm dx with J dx = -residual, dx = M^-1 J' (J M^-1 J' + mu I)^+ (-residual), mu
    /// relative to the size of J M^-1 J'; mu = 0 is the Gauss-Newton step. J M^-1 J' is r x r and
    /// assembled column by column, so the cost follows the edges, not n.
    let private step
        (rows: int)
        (entries: (int * int * float)[])
        (masses: float[])
        (free: int[])
        (residual: Vector<float>)
        (mu: float)
        =
        let isFree = Collections.Generic.HashSet<int>(free)
        let used = entries |> Array.filter (fun (_, i, _) -> isFree.Contains i)
        let a = Matrix<float>.Build.Dense(rows, rows)

        for i, group in used |> Array.groupBy (fun (_, i, _) -> i) do
            for j, _, x in group do
                for k, _, y in group do
                    a.[j, k] <- a.[j, k] + x * y / masses.[i]

        let a =
            if mu = 0.0 then
                a
            else
                let scale = max 1e-300 (a.Diagonal().AbsoluteMaximum())
                a + Matrix<float>.Build.DenseIdentity(rows) * (mu * scale)

        // The pseudo-inverse (an SVD) handles a rank-deficient J; above a few hundred rows it is
        // too slow, and a network's G_q has full rank: a Cholesky, the SVD only if it fails.
        let y =
            if rows <= 200 then
                a.PseudoInverse() * (-residual)
            else
                try
                    a.Cholesky().Solve(-residual)
                with :? ArgumentException ->
                    a.PseudoInverse() * (-residual)

        let dx = Collections.Generic.Dictionary<int, float>()

        for j, i, x in used do
            dx.[i] <-
                (match dx.TryGetValue i with
                 | true, v -> v
                 | _ -> 0.0)
                + x * y.[j] / masses.[i]

        free
        |> Array.map (fun i ->
            i,
            (match dx.TryGetValue i with
             | true, v -> v
             | _ -> 0.0))

    let complete (d: Derivation) (signals: FormulaSignals) (parameters: Map<string, float>) : InitialConditions =
        let m = d.Model
        let t0 = m.Simulation.T0

        let coords = Array.ofList m.Coordinates

        // Every mass, start and start velocity in one evaluation (one per coordinate would cost n^2).
        let constants (es: Expr[]) =
            evalAll
                d
                signals
                parameters
                {
                    T = t0
                    Q = Array.zeroCreate d.N
                    Qdot = Array.zeroCreate d.N
                }
                (List.ofArray es)

        let masses = coords |> Array.map (fun c -> c.Mass) |> constants

        // Coordinates without `init` start at their guess (or 0); completion may move them.
        let start =
            coords
            |> Array.map (fun c ->
                match c.Init, c.Guess with
                | Some e, _
                | None, Some e -> e
                | None, None -> Expr.zero)
            |> constants

        let q = Array.copy start

        let qdot =
            coords
            |> Array.map (fun c -> c.InitVelocity |> Option.defaultValue Expr.zero)
            |> constants

        let freeQ =
            coords
            |> Array.indexed
            |> Array.filter (fun (_, c) -> c.Init.IsNone)
            |> Array.map fst

        let freeV =
            coords
            |> Array.indexed
            |> Array.filter (fun (_, c) -> c.InitVelocity.IsNone)
            |> Array.map fst

        let state () = {
            T = t0
            Q = Array.copy q
            Qdot = Array.copy qdot
        }

        let residual (roots: Expr[]) =
            Vector<float>.Build.DenseOfArray(evalAll d signals parameters (state ()) (List.ofArray roots))

        let worst (v: Vector<float>) =
            if v.Count = 0 then
                0, 0.0
            elif v.Exists(fun x -> not (Double.IsFinite x)) then
                Array.findIndex (fun x -> not (Double.IsFinite x)) (v.ToArray()), infinity
            else
                let i = v.AbsoluteMaximumIndex() in i, abs v.[i]

        let refuse what (v: Vector<float>) (extra: string) =
            let i, size = worst v

            raise (
                DerivationError
                    $"the start cannot satisfy constraint '{d.ConstraintNames.[i]}': {what} = {size:g3} at t = {t0} after adjusting every coordinate without an initial value{extra}"
            )

        // Positions: damped Gauss-Newton (Levenberg-Marquardt, minimum M-norm steps) on G over
        // the free coordinates, from the guesses; when it stalls (a rank-deficient Jacobian at
        // the guess, such as a pendulum's free coordinate at 0) it restarts from nearby points.
        let solve () =
            let mutable g = residual d.G
            let mutable iterations = 0
            let mutable mu = 0.0

            while snd (worst g) > tolerance && iterations < 100 && mu < 1e12 do
                let change = step d.R (gqEntries d signals parameters (state ())) masses freeQ g mu
                let before = Array.copy q

                for i, dx in change do
                    q.[i] <- q.[i] + dx

                let trial = residual d.G

                let size (v: Vector<float>) =
                    if Double.IsFinite(snd (worst v)) then
                        v.L2Norm()
                    else
                        infinity

                if size trial < size g then
                    g <- trial
                    mu <- if mu <= 1e-9 then 0.0 else mu / 10.0
                else
                    Array.blit before 0 q 0 q.Length
                    mu <- if mu = 0.0 then 1e-6 else mu * 10.0

                iterations <- iterations + 1

            g

        let fullRank () =
            d.R = 0
            || (dependentRows d.R (gqEntries d signals parameters (state ()))).IsEmpty

        let mutable g = if freeQ.Length > 0 then solve () else residual d.G
        let mutable restarts = 0

        if freeQ.Length > 0 && d.R > 0 && (snd (worst g) > 1e-10 || not (fullRank ())) then
            let first = Array.copy q, g
            let mutable best = first
            let mutable found = false

            for scale in [ 0.1; 0.5; 1.0; 2.0 ] do
                if not found then
                    restarts <- restarts + 1
                    let rng = Random(restarts)
                    Array.blit start 0 q 0 q.Length

                    for i in freeQ do
                        q.[i] <- start.[i] + scale * (2.0 * rng.NextDouble() - 1.0) * max 1.0 (abs start.[i])

                    let gi = solve ()

                    if snd (worst gi) <= 1e-10 && fullRank () then
                        found <- true
                        g <- gi
                    elif snd (worst gi) < snd (worst (snd best)) then
                        best <- Array.copy q, gi

            if not found then
                // Keep the first converged point (Proposition 1 below names the dependency),
                // else the closest one for the message.
                let keep = if snd (worst (snd first)) <= 1e-10 then first else best
                Array.blit (fst keep) 0 q 0 q.Length
                g <- snd keep

        if snd (worst g) > 1e-10 then
            refuse
                "|G|"
                g
                (if restarts > 0 then
                     $" (also from {restarts} restarts near the guesses; give a start with 'guess')"
                 else
                     "")

        // Velocities: one linear correction, Gdot is linear in qdot.
        let mutable gdot = residual d.Gdot

        if snd (worst gdot) > tolerance && freeV.Length > 0 then
            for i, dv in step d.R (gqEntries d signals parameters (state ())) masses freeV gdot 0.0 do
                qdot.[i] <- qdot.[i] + dv

            gdot <- residual d.Gdot

        if snd (worst gdot) > 1e-10 then
            refuse "|Gdot|" gdot ""

        // Proposition 1: G_q of full row rank at the start (nothing to check without constraints).
        match
            (if d.R = 0 then
                 []
             else
                 dependentRows d.R (gqEntries d signals parameters (state ())))
        with
        | [] -> ()
        | deps ->
            let named = deps |> List.map (fun j -> $"'{d.ConstraintNames.[j]}'")

            raise (
                DerivationError
                    $"""G_q does not have full row rank at t = {t0}: constraint(s) {String.Join(", ", named)} depend linearly on the ones before (Proposition 1); a recurrent net needs slack variables"""
            )

        // H positive definite, and the multiplier system solvable, at the start (a derivation
        // for a structured kernel has no symbolic multiplier system: its kernel checks that).
        if d.A.IsSome || not d.IsHDiagonal then
            Numerics.evaluate d signals parameters (state ()) |> ignore

        let changes = [
            for i in freeQ do
                if q.[i] <> 0.0 then
                    yield $"{coords.[i].Name} = {q.[i]:R} (solved from G = 0)"
            for i in freeV do
                if qdot.[i] <> 0.0 then
                    yield $"{coords.[i].Name}' = {qdot.[i]:R} (solved from Gdot = 0)"
        ]

        { State = state (); Changes = changes }

    /// Projects an arbitrary state onto G = 0 and Gdot = 0, moving every coordinate and velocity
    /// (minimum M-norm steps): consistent states for differential tests and `stlp check`.
    let project (d: Derivation) (signals: FormulaSignals) (parameters: Map<string, float>) (s: State) : State =
        let masses =
            d.Model.Coordinates
            |> List.map (fun c -> (evalAll d signals parameters s [ c.Mass ]).[0])
            |> Array.ofList

        let all = Array.init d.N id
        let q = Array.copy s.Q
        let qdot = Array.copy s.Qdot

        let state () = {
            T = s.T
            Q = Array.copy q
            Qdot = Array.copy qdot
        }

        let residual (roots: Expr[]) =
            Vector<float>.Build.DenseOfArray(evalAll d signals parameters (state ()) (List.ofArray roots))

        let mutable g = residual d.G
        let mutable iterations = 0

        while g.Count > 0 && g.InfinityNorm() > tolerance && iterations < 50 do
            for i, dx in step d.R (gqEntries d signals parameters (state ())) masses all g 0.0 do
                q.[i] <- q.[i] + dx

            g <- residual d.G
            iterations <- iterations + 1

        let gdot = residual d.Gdot

        if gdot.Count > 0 then
            for i, dv in step d.R (gqEntries d signals parameters (state ())) masses all gdot 0.0 do
                qdot.[i] <- qdot.[i] + dv

        state ()
