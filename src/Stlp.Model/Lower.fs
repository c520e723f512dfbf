namespace Stlp.Model

open System.Collections.Generic

/// What an IR input slot reads.
type InputKind =
    | Time = 0
    | Coordinate = 1
    | Velocity = 2
    | Parameter = 3
    /// A signal value the runtime supplies (data-set signals); formula signals are inlined.
    | Signal = 4

type OpCode =
    /// Value: the constant.
    | Constant = 0
    /// InputKind / InputIndex: which input.
    | Input = 1
    /// Args: the summands.
    | Add = 2
    /// Args: the factors.
    | Mul = 3
    /// Args: base; Value: an integer exponent.
    | PowInt = 4
    /// Args: base, exponent.
    | Pow = 5
    /// Name: the primitive function; Args: its arguments.
    | Call = 6

/// One instruction; its result is the temporary with the instruction's own index.
type Instruction = {
    Op: OpCode
    Args: int[]
    Value: float
    Name: string
    InputKind: InputKind
    InputIndex: int
    /// For a Call: the temporaries holding its partial derivatives, one per argument, for the
    /// forward-mode tangents of the Jacobian. Empty otherwise.
    Partials: int[]
}

/// A sparse matrix entry held in a temporary.
type IrEntry = { Row: int; Column: int; Slot: int }

/// The intermediate representation: the contract between the F# derivation and the C# emitter,
/// interpreter and runtime. Plain data: numbered inputs, a straight-line instruction list in
/// topological order over numbered temporaries (every distinct subexpression once, across all
/// outputs), numbered outputs, and the names for humans.
type IrProgram = {
    ModelName: string
    CoordinateNames: string[]
    ConstraintNames: string[]
    ParameterNames: string[]
    ParameterDefaults: float[]
    /// Signals the runtime supplies, as (name, derivative order).
    SignalInputs: (string * int)[]
    Instructions: Instruction[]
    /// H~ = H / varpi: nonzero entries (both triangles); diagonal when IsHDiagonal.
    HNorm: IrEntry[]
    IsHDiagonal: bool
    FNorm: int[]
    /// G_q: Row = constraint, Column = coordinate.
    Gq: IrEntry[]
    /// Only when H is not diagonal (otherwise gamma is part of b).
    Gamma: int[]
    G: int[]
    Gdot: int[]
    Varpi: int
    /// When H is diagonal: A = G_q H~^-1 G_q' (upper triangle, Row <= Column) and b.
    A: IrEntry[]
    B: int[]
} with

    member p.N = p.CoordinateNames.Length
    member p.R = p.ConstraintNames.Length

module Lower =
    /// Lowers a derivation to the IR. Formula signals are inlined (their derivatives are taken
    /// symbolically); data-set signals become inputs.
    let lower (d: Derivation) : IrProgram =
        let formulas = FormulaSignals d.Model

        let formulaNames =
            d.Model.Signals
            |> List.choose (fun s ->
                match s.Source with
                | Formula _ -> Some s.Name
                | _ -> None)
            |> Set.ofList

        // Replace formula signals by their expressions, repeatedly (a formula may use others).
        let rec inlineSignals (roots: Expr list) =
            let sigs =
                Calculus.topological roots
                |> List.choose (fun n ->
                    match n.Node with
                    | Sig(name, k) when formulaNames.Contains name -> Some(n, formulas.Expression(name, k))
                    | _ -> None)

            if sigs.IsEmpty then
                roots
            else
                let map = Dictionary<Expr, Expr>(HashIdentity.Reference)

                for k, v in sigs do
                    map.[k] <- v

                inlineSignals (Calculus.substituteMany map roots)

        let hEntries = d.HNorm |> Map.toArray

        let gqEntries =
            d.Gq
            |> Array.mapi (fun j row -> row |> Array.map (fun (i, e) -> j, i, e))
            |> Array.concat

        let aEntries = defaultArg d.A [||]
        let bs = defaultArg d.B [||]
        // Dead code is dropped: with H diagonal, gamma enters only through b.
        let gamma = if d.IsHDiagonal then [||] else d.Gamma

        let groups = [
            hEntries |> Array.map snd
            d.FNorm
            gqEntries |> Array.map (fun (_, _, e) -> e)
            gamma
            d.G
            d.Gdot
            [| d.Varpi |]
            aEntries |> Array.map snd
            bs
        ]

        let roots = inlineSignals (groups |> Seq.concat |> List.ofSeq) |> Array.ofList

        // The partial derivatives of every primitive call, as expressions of its arguments
        // (tanh' = 1 - tanh^2 shares tanh): lowered with the rest, used by the tangents.
        let partialsOf = Dictionary<int, Expr[]>()

        for n in Calculus.topological roots do
            match n.Node with
            | Fn(f, args) -> partialsOf.[n.Id] <- (Functions.find f).Partials args
            | _ -> ()

        let partialRoots = partialsOf.Values |> Seq.concat |> List.ofSeq

        let coordinateIndex = d.Q |> Array.mapi (fun i s -> s.Name, i) |> dict

        let parameterNames =
            d.Model.Parameters |> List.map (fun p -> p.Name) |> Array.ofList

        let parameterIndex = parameterNames |> Array.mapi (fun i n -> n, i) |> dict
        let signalInputs = ResizeArray<string * int>()
        let slots = Dictionary<int, int>()
        let code = ResizeArray<Instruction>()

        let emit op args value name kind index =
            code.Add {
                Op = op
                Args = args
                Value = value
                Name = name
                InputKind = kind
                InputIndex = index
                Partials = [||]
            }

            code.Count - 1

        let slot (e: Expr) = slots.[e.Id]

        let ordered = Calculus.topological (List.ofArray roots @ partialRoots)

        for n in ordered do
            let s =
                match n.Node with
                | Num r -> emit OpCode.Constant [||] (r.ToDouble()) "" InputKind.Time 0
                | Real x -> emit OpCode.Constant [||] x "" InputKind.Time 0
                | Sym s ->
                    match s.Kind with
                    | Time -> emit OpCode.Input [||] 0.0 "t" InputKind.Time 0
                    | Coordinate -> emit OpCode.Input [||] 0.0 s.Name InputKind.Coordinate coordinateIndex.[s.Name]
                    | Velocity -> emit OpCode.Input [||] 0.0 s.Name InputKind.Velocity coordinateIndex.[s.Name]
                    | Parameter -> emit OpCode.Input [||] 0.0 s.Name InputKind.Parameter parameterIndex.[s.Name]
                    | _ -> raise (DerivationError $"cannot lower the symbol {s} into a kernel")
                | Sig(name, k) ->
                    let i =
                        match Seq.tryFindIndex ((=) (name, k)) signalInputs with
                        | Some i -> i
                        | None ->
                            signalInputs.Add((name, k))
                            signalInputs.Count - 1

                    emit OpCode.Input [||] 0.0 name InputKind.Signal i
                | Sum ts -> emit OpCode.Add (ts |> Array.map slot) 0.0 "" InputKind.Time 0
                | Prod fs -> emit OpCode.Mul (fs |> Array.map slot) 0.0 "" InputKind.Time 0
                | Pow(b, p) ->
                    match p.Node with
                    | Num r when r.IsInteger && abs r.Numerator <= 64I ->
                        emit OpCode.PowInt [| slot b |] (r.ToDouble()) "" InputKind.Time 0
                    | _ -> emit OpCode.Pow [| slot b; slot p |] 0.0 "" InputKind.Time 0
                | Fn(f, args) -> emit OpCode.Call (args |> Array.map slot) 0.0 f InputKind.Time 0

            slots.[n.Id] <- s

        for n in ordered do
            match partialsOf.TryGetValue n.Id with
            | true, ps ->
                code.[slot n] <- {
                    code.[slot n] with
                        Partials = ps |> Array.map slot
                }
            | _ -> ()

        let mutable at = 0

        let take k =
            let xs = roots.[at .. at + k - 1] |> Array.map slot
            at <- at + k
            xs

        let hs = take hEntries.Length
        let fs = take d.N
        let gqs = take gqEntries.Length
        let gammas = take gamma.Length
        let gs = take d.R
        let gdots = take d.R
        let varpi = (take 1).[0]
        let as' = take aEntries.Length
        let bslots = take bs.Length
        // Dead code: an integer exponent is inlined into PowInt, so its constant may be unused.
        let used = Array.zeroCreate code.Count

        let outputs =
            Array.concat [ hs; fs; gqs; gammas; gs; gdots; [| varpi |]; as'; bslots ]

        // Marked from the outputs through arguments and partials (a partial may come later in
        // the list than the call it belongs to, so this is a graph walk, not one backward pass).
        let pending = Stack<int>(outputs)

        while pending.Count > 0 do
            let i = pending.Pop()

            if not used.[i] then
                used.[i] <- true

                for a in code.[i].Args do
                    pending.Push a

                for a in code.[i].Partials do
                    pending.Push a

        let renumber = Array.create code.Count -1
        let kept = ResizeArray<Instruction>()

        // Numbers first, then the instructions: a call's partials may come after it.
        let mutable next = 0

        for i in 0 .. code.Count - 1 do
            if used.[i] then
                renumber.[i] <- next
                next <- next + 1

        for i in 0 .. code.Count - 1 do
            if used.[i] then
                kept.Add {
                    code.[i] with
                        Args = code.[i].Args |> Array.map (fun a -> renumber.[a])
                        Partials = code.[i].Partials |> Array.map (fun a -> renumber.[a])
                }

        let re (xs: int[]) = xs |> Array.map (fun x -> renumber.[x])

        let hs, fs, gqs, gammas, gs, gdots, varpi, as', bslots =
            re hs, re fs, re gqs, re gammas, re gs, re gdots, renumber.[varpi], re as', re bslots

        {
            ModelName = d.Model.Name
            CoordinateNames = d.Q |> Array.map (fun s -> s.Name)
            ConstraintNames = d.ConstraintNames
            ParameterNames = parameterNames
            ParameterDefaults = d.Model.Parameters |> List.map (fun p -> p.Value) |> Array.ofList
            SignalInputs = signalInputs.ToArray()
            Instructions = kept.ToArray()
            HNorm = Array.map2 (fun ((i, j), _) s -> { Row = i; Column = j; Slot = s }) hEntries hs
            IsHDiagonal = d.IsHDiagonal
            FNorm = fs
            Gq = Array.map2 (fun (j, i, _) s -> { Row = j; Column = i; Slot = s }) gqEntries gqs
            Gamma = gammas
            G = gs
            Gdot = gdots
            Varpi = varpi
            A = Array.map2 (fun ((j, k), _) s -> { Row = j; Column = k; Slot = s }) aEntries as'
            B = bslots
        }
