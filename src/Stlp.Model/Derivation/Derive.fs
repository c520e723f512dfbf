namespace Stlp.Model

open System.Collections.Generic

/// A derivation that cannot be carried out; the message names the constraint or coordinate.
exception DerivationError of string

/// The sparsity of the multiplier matrix (docs/equations.md §6).
module Sparsity =
    /// Pairs of constraints (j <= k) that share a coordinate, given the rows of G_q.
    let multiplierPattern (gq: (int * Expr)[][]) : (int * int)[] =
        let byCoordinate = Dictionary<int, ResizeArray<int>>()

        gq
        |> Array.iteri (fun j row ->
            for i, _ in row do
                match byCoordinate.TryGetValue i with
                | true, l -> l.Add j
                | _ -> byCoordinate.[i] <- ResizeArray [ j ])

        seq {
            for KeyValue(_, cs) in byCoordinate do
                for a in cs do
                    for b in cs do
                        if a <= b then
                            yield a, b
        }
        |> Set.ofSeq
        |> Set.toArray

/// The constrained Euler-Lagrange system of a model (docs/equations.md §2-6), symbolically, in the general
/// form: H qddot = f - G_q' lambda, G_q qddot = -gamma, and the multiplier equation
/// (G_q H^-1 G_q') lambda = G_q H^-1 f + gamma. Everything is also given normalized by the
/// dissipation (H~ = H/varpi, f~ = f/varpi, lambda~ = lambda/varpi, docs/equations.md §3), which is the
/// form the kernels use: no exp(theta t) is left in it.
type Derivation = {
    Model: Model
    /// Coordinates q and velocities qdot, in model order.
    Q: Symbol[]
    Qdot: Symbol[]
    ConstraintNames: string[]
    /// The normalized multipliers lambda~_j as symbols, one per constraint.
    Lambda: Symbol[]
    Varpi: Expr
    /// V with the stabilization penalty, if any.
    Loss: Expr
    Lagrangian: Expr
    /// H = d2L/dqdot2, nonzero entries (i, j) -> expression (both triangles).
    H: Map<int * int, Expr>
    /// H / varpi, same pattern.
    HNorm: Map<int * int, Expr>
    IsHDiagonal: bool
    /// f = dL/dq - d/dt|explicit dL/dqdot - (d2L/dqdot dq) qdot.
    F: Expr[]
    FNorm: Expr[]
    G: Expr[]
    /// Rows of G_q: per constraint, the coordinates it touches and dG/dq there.
    Gq: (int * Expr)[][]
    Gt: Expr[]
    Gdot: Expr[]
    /// gamma = G_tt + 2 G_tq qdot + qdot' G_qq qdot (+ Baumgarte terms).
    Gamma: Expr[]
    /// The normalized multiplier matrix A = G_q H~^-1 G_q', upper triangle (j <= k), and the
    /// right-hand side b = G_q H~^-1 f~ + gamma; only when H is diagonal (else numerical).
    A: ((int * int) * Expr)[] option
    B: Expr[] option
    /// qddot = H~^-1 (f~ - G_q' lambda~), in terms of the multiplier symbols (H diagonal).
    Qddot: Expr[] option
    Stabilization: Stabilization
} with

    member d.N = d.Q.Length
    member d.R = d.G.Length

    /// For each constraint, the indices of the coordinates it touches (docs/equations.md §6).
    member d.Touches = d.Gq |> Array.map (Array.map fst)

    /// The nonzero pattern of A: pairs of constraints sharing a coordinate (upper triangle).
    member d.APattern = Sparsity.multiplierPattern d.Gq

module Derive =
    let private timeExp (e: Expr) =
        Calculus.topological [ e ]
        |> List.exists (fun n ->
            match n.Node with
            | Fn("exp", [| a |]) -> Calculus.dependsOn Calculus.time a
            | _ -> false)

    /// e / varpi, distributing over sums where a plain quotient would leave a growing
    /// exponential inside (exp(theta t) (a + b) is fine; exp(theta t) a + exp(theta t) b is not).
    let rec private divideOut (varpi: Expr) (e: Expr) =
        let plain = Expr.div e varpi

        if not (timeExp plain) then
            plain
        else
            match e.Node with
            | Sum ts -> Expr.add (ts |> Array.map (divideOut varpi))
            | Prod fs when fs |> Array.exists timeExp ->
                let i = fs |> Array.findIndex timeExp
                Expr.mul (Array.append [| divideOut varpi fs.[i] |] (Array.removeAt i fs))
            | _ -> plain

    let private constraintsFree (model: Model) =
        let syms = Calculus.freeSymbols model.Force

        match syms |> Seq.tryFind (fun s -> s.Kind = Acceleration) with
        | Some s ->
            raise (
                DerivationError
                    $"F depends on the acceleration {s}: that makes the Euler-Lagrange equations fourth order, which is not supported (docs/equations.md §2)"
            )
        | None -> ()

    /// Derives the constrained Euler-Lagrange system. `stabilization` overrides the model's
    /// simulate setting (penalty and Baumgarte change the derivation; projection is a runtime step).
    /// Derives the system; without `multipliers` the symbolic A, b, qddot and gamma are skipped (a
    /// structured kernel derives gamma per form and assembles the rest numerically; A grows as
    /// the square of a layer), and for F = -varpi V, H and f are written down, not derived.
    let deriveWith (multipliers: bool) (stabilization: Stabilization option) (model: Model) : Derivation =
        constraintsFree model
        let stab = defaultArg stabilization model.Simulation.Stabilize
        let q = model.CoordinateSymbols |> Array.ofList
        let n = q.Length
        let qdot = q |> Array.map Calculus.velocityOf
        let index = q |> Array.mapi (fun i s -> s, i) |> dict
        let names = model.Constraints |> List.map (fun c -> c.Name) |> Array.ofList
        let g = model.Constraints |> List.map (fun c -> c.G) |> Array.ofList
        let varpi = model.Dissipation

        let loss =
            match stab with
            | Penalty c -> Expr.add (model.Loss :: [ for gi in g -> Expr.mul [ Expr.real (c / 2.0); Expr.sqr gi ] ])
            | _ -> model.Loss

        let kinetic =
            model.Coordinates
            |> List.map (fun c -> Expr.mul [ c.Mass; Expr.sqr (Expr.symbol (Calculus.velocityOf c.Symbol)) ])
            |> Expr.add

        let lagrangian =
            Expr.add [
                Expr.mul [ Expr.num (Rational.Create(1I, 2I)); varpi; kinetic ]
                model.Force
                Expr.neg (Expr.mul2 varpi loss)
            ]

        let dt = Calculus.Differentiator Calculus.time

        // The paper's case (F = -varpi V) without the symbolic multiplier equation, as a structured
        // kernel needs it: H = varpi M and f~ = -(varpi'/varpi) M qdot - V_q written down directly
        // (sparse: V_q only where V depends on q), instead of differentiating a Lagrangian of
        // every coordinate twice.
        let h, hNorm, isDiagonal, f, fNorm =
            if not multipliers && Expr.isZero model.Force then
                let masses = model.Coordinates |> List.map (fun c -> c.Mass) |> Array.ofList
                let rate = Calculus.diff Calculus.time (Functions.log varpi)

                let lossCoordinates =
                    Calculus.freeSymbols loss
                    |> Seq.filter (fun s -> s.Kind = Coordinate)
                    |> List.ofSeq

                let gradient =
                    List.zip lossCoordinates (Calculus.gradientReverse loss lossCoordinates)
                    |> List.map (fun (s, d) -> index.[s], d)
                    |> dict

                let fNorm =
                    Array.init n (fun i ->
                        let damping = Expr.mul [ Expr.minusOne; rate; masses.[i]; Expr.symbol qdot.[i] ]

                        match gradient.TryGetValue i with
                        | true, d -> Expr.sub damping d
                        | _ -> damping)

                let diagonal (m: int -> Expr) =
                    Array.init n (fun i -> (i, i), m i) |> Map.ofArray

                diagonal (fun i -> Expr.mul2 varpi masses.[i]),
                diagonal (fun i -> masses.[i]),
                true,
                fNorm |> Array.map (Expr.mul2 varpi),
                fNorm
            else
                // Momenta p = dL/dqdot and the Hessian H = dp/dqdot, entry by entry where nonzero.
                let p = Calculus.gradientReverse lagrangian (List.ofArray qdot) |> Array.ofList
                let velocityIndex = qdot |> Array.mapi (fun i s -> s, i) |> dict

                let h =
                    [
                        for i in 0 .. n - 1 do
                            for s in Calculus.freeSymbols p.[i] do
                                if s.Kind = Velocity then
                                    let j = velocityIndex.[s]
                                    let hij = Calculus.diff s p.[i]

                                    if not (Expr.isZero hij) then
                                        yield (i, j), hij
                    ]
                    |> Map.ofList

                let isDiagonal = h |> Map.forall (fun (i, j) _ -> i = j)

                // f = dL/dq - d/dt|explicit p - (dp/dq) qdot.
                let dLdq = Calculus.gradientReverse lagrangian (List.ofArray q) |> Array.ofList

                let f =
                    Array.init n (fun i ->
                        let mixed =
                            Calculus.freeSymbols p.[i]
                            |> Seq.filter (fun s -> s.Kind = Coordinate)
                            |> Seq.map (fun s ->
                                Expr.mul2 (Calculus.diff s p.[i]) (Expr.symbol (Calculus.velocityOf s)))
                            |> List.ofSeq

                        Expr.add (dLdq.[i] :: Expr.neg (dt.D p.[i]) :: List.map Expr.neg mixed))

                let hNorm = h |> Map.map (fun _ e -> divideOut varpi e)
                let fNorm = f |> Array.map (divideOut varpi)

                h, hNorm, isDiagonal, f, fNorm

        // Constraint derivatives: sparse rows of G_q, G_t, Gdot and gamma.
        let gq =
            g
            |> Array.map (fun gi ->
                let coords =
                    Calculus.freeSymbols gi
                    |> Seq.filter (fun s -> s.Kind = Coordinate)
                    |> List.ofSeq

                List.zip coords (Calculus.gradientReverse gi coords)
                |> List.filter (fun (_, d) -> not (Expr.isZero d))
                |> List.map (fun (s, d) -> index.[s], d)
                |> List.sortBy fst
                |> Array.ofList)

        let gt = g |> Array.map dt.D
        let gdot = g |> Array.map Calculus.timeDerivative

        // The accelerations a row's second derivative holds, set to zero (only those: a row
        // touches a few coordinates, and substituting all n of them per row costs n r).
        let noAcceleration (e: Expr) =
            Calculus.freeSymbols e
            |> Seq.filter (fun s -> s.Kind = Acceleration)
            |> Seq.map (fun s -> Expr.symbol s, Expr.zero)
            |> List.ofSeq

        // Without the multiplier equation gamma is left out: a structured kernel derives it once
        // per form (Loops), and the total second derivative of every row costs most of a derivation.
        let gamma =
            Array.init (if multipliers then g.Length else 0) (fun i ->
                let total = Calculus.timeDerivative gdot.[i]
                let second = Calculus.substitute (noAcceleration total) total

                match stab with
                | Baumgarte(alpha, beta) ->
                    Expr.add [
                        second
                        Expr.mul [ Expr.real (2.0 * alpha); gdot.[i] ]
                        Expr.mul [ Expr.real (beta * beta); g.[i] ]
                    ]
                | _ -> second)

        let lambda =
            names
            |> Array.map (fun c -> {
                Name = "lambda_" + c
                Kind = Multiplier
            })

        let a, b, qddot =
            if not isDiagonal || not multipliers then
                None, None, None
            else
                let hInv i = Expr.pow hNorm.[(i, i)] Expr.minusOne
                let rowOf = gq |> Array.map dict



                let aEntries =
                    Sparsity.multiplierPattern gq
                    |> Array.map (fun (j, k) ->
                        let shared = gq.[j] |> Array.filter (fun (i, _) -> rowOf.[k].ContainsKey i)
                        (j, k), Expr.add [ for i, gji in shared -> Expr.mul [ gji; rowOf.[k].[i]; hInv i ] ])

                let bs =
                    Array.init g.Length (fun j ->
                        Expr.add (gamma.[j] :: [ for i, gji in gq.[j] -> Expr.mul [ gji; fNorm.[i]; hInv i ] ]))

                let byCoordinate = Array.init n (fun _ -> ResizeArray<Expr>())

                gq
                |> Array.iteri (fun j row ->
                    for i, gji in row do
                        byCoordinate.[i].Add(Expr.mul2 gji (Expr.symbol lambda.[j])))

                let acc =
                    Array.init n (fun i -> Expr.mul2 (hInv i) (Expr.sub fNorm.[i] (Expr.add byCoordinate.[i])))

                Some aEntries, Some bs, Some acc

        {
            Model = model
            Q = q
            Qdot = qdot
            ConstraintNames = names
            Lambda = lambda
            Varpi = varpi
            Loss = loss
            Lagrangian = lagrangian
            H = h
            HNorm = hNorm
            IsHDiagonal = isDiagonal
            F = f
            FNorm = fNorm
            G = g
            Gq = gq
            Gt = gt
            Gdot = gdot
            Gamma = gamma
            A = a
            B = b
            Qddot = qddot
            Stabilization = stab
        }

    /// Derives the system with its symbolic multiplier equation (docs/equations.md §2).
    let derive (stabilization: Stabilization option) (model: Model) : Derivation = deriveWith true stabilization model
