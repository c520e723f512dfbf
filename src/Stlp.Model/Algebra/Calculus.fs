namespace Stlp.Model

open System
open System.Collections.Generic

/// Error raised when a derivative cannot be formed (for example the time derivative of an
/// acceleration, which would make the equations fourth order).
exception DerivativeError of string

/// Traversals of the DAG: free symbols, substitution, differentiation. Every traversal is
/// memoized by node, so its cost is linear in the DAG's size, not in the size of the tree.
module Calculus =
    let time = { Name = "t"; Kind = Time }
    let timeExpr = Expr.symbol time

    let children (e: Expr) =
        match e.Node with
        | Sum xs
        | Prod xs
        | Fn(_, xs) -> xs
        | Pow(a, b) -> [| a; b |]
        | _ -> [||]

    /// Rebuilds a node of the same shape over new children, through the canonical constructors.
    let rebuild (e: Expr) (cs: Expr[]) =
        match e.Node with
        | Sum _ -> Expr.add cs
        | Prod _ -> Expr.mul cs
        | Pow _ -> Expr.pow cs.[0] cs.[1]
        | Fn(f, _) -> Functions.apply f cs
        | _ -> e

    /// All nodes reachable from the roots, each once, children before parents.
    let topological (roots: Expr seq) : Expr list =
        let seen = HashSet<int>()
        let out = ResizeArray<Expr>()
        // Explicit stack: deep compositions must not overflow the call stack.
        let stack = Stack<Expr * bool>()

        for r in Seq.rev (Array.ofSeq roots) do
            stack.Push(r, false)

        while stack.Count > 0 do
            let e, expanded = stack.Pop()

            if expanded then
                out.Add e
            elif seen.Add e.Id then
                stack.Push(e, true)

                for c in Array.rev (children e) do
                    if not (seen.Contains c.Id) then
                        stack.Push(c, false)

        List.ofSeq out

    /// Number of distinct nodes in the DAG under the roots.
    let dagSize (roots: Expr seq) = (topological roots).Length

    let freeSymbols (e: Expr) : Set<Symbol> =
        topological [ e ]
        |> List.choose (fun n ->
            match n.Node with
            | Sym s -> Some s
            | _ -> None)
        |> Set.ofList

    /// Signals used, with the highest derivative order of each.
    let signals (e: Expr) : Map<string, int> =
        topological [ e ]
        |> List.fold
            (fun m n ->
                match n.Node with
                | Sig(name, k) -> Map.change name (fun o -> Some(max k (defaultArg o 0))) m
                | _ -> m)
            Map.empty

    let functionsUsed (e: Expr) : Set<string> =
        topological [ e ]
        |> List.choose (fun n ->
            match n.Node with
            | Fn(f, _) -> Some f
            | _ -> None)
        |> Set.ofList

    let dependsOn (s: Symbol) (e: Expr) = (freeSymbols e).Contains s

    /// Replaces subexpressions (usually symbols) by expressions, bottom up, re-canonicalizing.
    let substituteMany (map: IReadOnlyDictionary<Expr, Expr>) (roots: Expr list) : Expr list =
        let memo = Dictionary<int, Expr>()

        for n in topological roots do
            let r =
                match map.TryGetValue n with
                | true, v -> v
                | _ ->
                    let cs = children n

                    if cs.Length = 0 then
                        n
                    else
                        rebuild n (cs |> Array.map (fun c -> memo.[c.Id]))

            memo.[n.Id] <- r

        roots |> List.map (fun r -> memo.[r.Id])

    let substitute (pairs: (Expr * Expr) seq) (e: Expr) =
        let d = Dictionary<Expr, Expr>(HashIdentity.Reference)

        for k, v in pairs do
            d.[k] <- v

        List.head (substituteMany d [ e ])

    /// A differentiator for one variable that keeps its memo across calls, so the derivatives
    /// of many expressions sharing subterms cost one pass over their union.
    type Differentiator(x: Symbol) =
        let memo = Dictionary<int, Expr>()
        let isTime = x.Kind = Time

        let local (e: Expr) (d: Expr -> Expr) : Expr =
            match e.Node with
            | Num _
            | Real _ -> Expr.zero
            | Sym s -> if s = x then Expr.one else Expr.zero
            | Sig(name, k) -> if isTime then Expr.signal name (k + 1) else Expr.zero
            | Sum ts -> Expr.add (ts |> Array.map d)
            | Prod fs ->
                // Product rule, n-ary: sum_i (d f_i) * prod_{j != i} f_j.
                Expr.add (
                    fs
                    |> Array.mapi (fun i fi ->
                        let dfi = d fi

                        if Expr.isZero dfi then
                            Expr.zero
                        else
                            Expr.mul (
                                Seq.append
                                    [ dfi ]
                                    (fs |> Seq.indexed |> Seq.filter (fun (j, _) -> j <> i) |> Seq.map snd)
                            ))
                )
            | Pow(b, p) ->
                let db = d b
                let dp = d p

                let term1 =
                    if Expr.isZero db then
                        Expr.zero
                    else
                        Expr.mul [ p; Expr.pow b (Expr.sub p Expr.one); db ]

                let term2 =
                    if Expr.isZero dp then
                        Expr.zero
                    else
                        Expr.mul [ e; Functions.log b; dp ]

                Expr.add2 term1 term2
            | Fn(f, args) ->
                let prim = Functions.find f
                let dargs = args |> Array.map d

                if dargs |> Array.forall Expr.isZero then
                    Expr.zero
                else
                    let partials = prim.Partials args

                    Expr.add (
                        Array.map2 (fun p da -> if Expr.isZero da then Expr.zero else Expr.mul2 p da) partials dargs
                    )

        member this.D(e: Expr) : Expr =
            match memo.TryGetValue e.Id with
            | true, r -> r
            | _ ->
                // Children first, iteratively, stopping at nodes already differentiated, so deep
                // DAGs do not recurse here and shared subterms cost one visit in all.
                let stack = Stack<Expr * bool>()
                stack.Push(e, false)

                while stack.Count > 0 do
                    let n, expanded = stack.Pop()

                    if not (memo.ContainsKey n.Id) then
                        if expanded then
                            memo.[n.Id] <- local n (fun c -> memo.[c.Id])
                        else
                            stack.Push(n, true)

                            for c in children n do
                                if not (memo.ContainsKey c.Id) then
                                    stack.Push(c, false)

                memo.[e.Id]

    let diff (x: Symbol) (e: Expr) = Differentiator(x).D e

    let velocityOf (q: Symbol) = { q with Kind = Velocity }
    let accelerationOf (q: Symbol) = { q with Kind = Acceleration }

    /// Local partial derivatives of a node with respect to each of its children.
    let private localPartials (e: Expr) : (Expr * Expr)[] =
        match e.Node with
        | Sum ts -> ts |> Array.map (fun c -> c, Expr.one)
        | Prod fs ->
            fs
            |> Array.mapi (fun i f ->
                f, Expr.mul (fs |> Seq.indexed |> Seq.filter (fun (j, _) -> j <> i) |> Seq.map snd))
        | Pow(b, p) -> [|
            b, Expr.mul [ p; Expr.pow b (Expr.sub p Expr.one) ]
            p, Expr.mul2 e (Functions.log b)
          |]
        | Fn(f, args) -> Array.zip args ((Functions.find f).Partials args)
        | _ -> [||]

    /// All partial derivatives of `e` at once, by reverse accumulation over the DAG: one pass,
    /// cost linear in the DAG's edges, however many variables. Variables `e` does not depend
    /// on get 0. Signals count as functions of time for a `Time` variable.
    let gradientReverse (e: Expr) (vars: Symbol list) : Expr list =
        let targets = Set.ofList vars
        let order = topological [ e ]
        // Which nodes depend on a target: only those carry adjoints.
        let live = HashSet<int>()

        for n in order do
            let depends =
                match n.Node with
                | Sym s -> targets.Contains s
                | Sig _ -> targets |> Set.exists (fun s -> s.Kind = Time)
                | _ -> children n |> Array.exists (fun c -> live.Contains c.Id)

            if depends then
                live.Add n.Id |> ignore

        let contributions = Dictionary<int, ResizeArray<Expr>>()

        let push (n: Expr) (v: Expr) =
            match contributions.TryGetValue n.Id with
            | true, l -> l.Add v
            | _ -> contributions.[n.Id] <- ResizeArray [ v ]

        let adjoint = Dictionary<int, Expr>()
        let signalRates = ResizeArray<Expr>()
        push e Expr.one

        for n in List.rev order do
            if live.Contains n.Id then
                let a = Expr.add contributions.[n.Id]
                adjoint.[n.Id] <- a

                match n.Node with
                | Sig(name, k) -> signalRates.Add(Expr.mul2 a (Expr.signal name (k + 1)))
                | _ ->
                    for c, partial in localPartials n do
                        if live.Contains c.Id then
                            push c (Expr.mul2 a partial)

        vars
        |> List.map (fun v ->
            let direct =
                match adjoint.TryGetValue (Expr.symbol v).Id with
                | true, a -> a
                | _ -> Expr.zero

            if v.Kind = Time then
                Expr.add (direct :: List.ofSeq signalRates)
            else
                direct)

    let gradient (e: Expr) (vars: Symbol list) = gradientReverse e vars

    /// Total time derivative along a trajectory: d/dt e = e_t + sum e_q qdot + sum e_qdot qddot,
    /// signals included (d/dt e(t) = e'(t)). All partials come from one reverse pass.
    let timeDerivative (e: Expr) : Expr =
        let moving =
            freeSymbols e
            |> Seq.filter (fun s ->
                match s.Kind with
                | Coordinate
                | Velocity -> true
                | Acceleration -> raise (DerivativeError $"the time derivative of {s}'' (a jerk) is not supported")
                | _ -> false)
            |> List.ofSeq

        let rate (s: Symbol) =
            match s.Kind with
            | Coordinate -> Expr.symbol (velocityOf s)
            | _ -> Expr.symbol (accelerationOf s)

        match gradientReverse e (time :: moving) with
        | explicitRate :: partials ->
            Expr.add (explicitRate :: List.map2 (fun s d -> Expr.mul2 d (rate s)) moving partials)
        | [] -> Expr.zero


    /// Jacobian rows per expression; each variable's differentiator is shared across rows.
    let jacobian (es: Expr list) (vars: Symbol list) : Expr[,] =
        let ds = vars |> List.map Differentiator |> Array.ofList
        let rows = Array.ofList es
        Array2D.init rows.Length ds.Length (fun i j -> ds.[j].D rows.[i])

    let hessian (e: Expr) (vars: Symbol list) : Expr[,] =
        let g = gradient e vars |> Array.ofList
        let ds = vars |> List.map Differentiator |> Array.ofList

        Array2D.init g.Length g.Length (fun i j -> if j < i then Expr.zero else ds.[j].D g.[i])
        |> fun h -> Array2D.init g.Length g.Length (fun i j -> if j < i then h.[j, i] else h.[i, j])
