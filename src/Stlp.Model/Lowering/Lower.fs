namespace Stlp.Model

open System
open System.Collections.Generic
open Stlp.Ir

/// The value of an operation on constants, computed as the interpreter and the generated code
/// compute it, so that folding at generation time changes no result.
module Fold =
    /// x^k for an integer k, by the formulas the emitter writes.
    let powInt (x: float) (k: int) =
        match k with
        | 2 -> x * x
        | 3 -> x * x * x
        | _ -> Math.Pow(x, float k)

    let apply (op: OpCode) (args: float[]) (value: float) (name: string) : float =
        match op with
        | OpCode.Add -> Array.reduce (+) args
        | OpCode.Mul -> Array.reduce (*) args
        | OpCode.Subtract -> Array.reduce (-) args
        | OpCode.Negate -> -args.[0]
        | OpCode.Divide -> args.[0] / args.[1]
        | OpCode.Square -> args.[0] * args.[0]
        | OpCode.Reciprocal -> 1.0 / args.[0]
        | OpCode.Sqrt -> Math.Sqrt args.[0]
        | OpCode.PowInt -> powInt args.[0] (int value)
        | OpCode.Pow -> Math.Pow(args.[0], args.[1])
        | OpCode.Call -> (Functions.find name).Eval args
        | _ -> invalidArg (nameof op) $"{op} takes no arguments"

/// Lowering a derivation to the IR (the plain C# types of Stlp.Ir): the only door from the F#
/// front end to the C# back end.
module Lower =
    /// Straight-line code for expressions of (t, q, qdot, p, signals): the instructions, the
    /// temporary of each root, and the signals the runtime must supply. Formula signals are
    /// inlined (their derivatives are taken symbolically); data-set signals become inputs.
    /// `withPartials` also lowers every call's partial derivatives, for the tangent code; without
    /// `inlineFormulas`, formula signals are inputs too (a network's map of a data row).
    let internal lowerExpressions
        (model: Model)
        (q: Symbol[])
        (withPartials: bool)
        (inlineFormulas: bool)
        (rootExprs: Expr[])
        : Instruction[] * int[] * SignalInput[] =
        let formulas = FormulaSignals model

        let formulaNames =
            if not inlineFormulas then
                Set.empty
            else
                model.Signals
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

        let roots = inlineSignals (List.ofArray rootExprs) |> Array.ofList

        // The partial derivatives of every primitive call, as expressions of its arguments
        // (tanh' = 1 - tanh^2 shares tanh): lowered with the rest, used by the tangents.
        let partialsOf = Dictionary<int, Expr[]>()

        if withPartials then
            for n in Calculus.topological roots do
                match n.Node with
                | Fn(f, args) -> partialsOf.[n.Id] <- (Functions.find f).Partials args
                | _ -> ()

        let partialRoots = partialsOf.Values |> Seq.concat |> List.ofSeq

        let coordinateIndex = q |> Array.mapi (fun i s -> s.Name, i) |> dict

        let parameterNames = model.Parameters |> List.map (fun p -> p.Name) |> Array.ofList

        let parameterIndex = parameterNames |> Array.mapi (fun i n -> n, i) |> dict
        let signalInputs = ResizeArray<SignalInput>()
        let code = ResizeArray<Instruction>()
        // The same operation over the same arguments is one temporary: the DAG is interned, but
        // the peephole forms below (the positive part of a negated product, a denominator, ...)
        // build instructions the DAG does not have.
        let shared = Dictionary<string, int>()

        let constantOf (i: int) =
            match code.[i].Op with
            | OpCode.Constant -> Some code.[i].Value
            | _ -> None

        let emit op (args: int[]) value name kind index =
            let folded =
                match op with
                | OpCode.Constant
                | OpCode.Input -> None
                | _ when args.Length > 0 && args |> Array.forall (fun a -> (constantOf a).IsSome) ->
                    Some(Fold.apply op (args |> Array.map (fun a -> code.[a].Value)) value name)
                | _ -> None

            let op, args, value, name =
                match folded with
                | Some v -> OpCode.Constant, [||], v, ""
                | None -> op, args, value, name

            let key =
                $"{int op}|{String.Join(',', args)}|{BitConverter.DoubleToInt64Bits value}|{name}|{int kind}|{index}"

            match shared.TryGetValue key with
            | true, i -> i
            | _ ->
                code.Add(Instruction(op, args, value, name, kind, index, [||]))
                shared.[key] <- code.Count - 1
                code.Count - 1

        let op1 op a = emit op [| a |] 0.0 "" InputKind.Time 0
        let opN op (args: int[]) = emit op args 0.0 "" InputKind.Time 0

        let constant (x: float) =
            emit OpCode.Constant [||] x "" InputKind.Time 0

        // A sum or product of slots: one argument is the argument itself.
        let gather op (xs: int list) =
            match xs with
            | [ x ] -> x
            | _ -> opN op (Array.ofList xs)

        let slots = Dictionary<int, int>()
        let slot (e: Expr) = slots.[e.Id]

        /// b^r for an exact r > 0: squares and square roots by name, small integers by PowInt.
        let power (b: int) (r: Rational) =
            if r.IsOne then
                b
            elif r = Rational.OfInt 2 then
                op1 OpCode.Square b
            elif r.IsInteger && r.Numerator <= 64I then
                emit OpCode.PowInt [| b |] (r.ToDouble()) "" InputKind.Time 0
            elif r = Rational.Create(1I, 2I) then
                op1 OpCode.Sqrt b
            else
                opN OpCode.Pow [| b; constant (r.ToDouble()) |]

        let numeric (e: Expr) =
            match e.Node with
            | Num r -> Some(r.ToDouble())
            | Real x -> Some x
            | _ -> None

        let ordered = Calculus.topological (List.ofArray roots @ partialRoots)

        // How many nodes use each node: a reciprocal several products share is computed once and
        // multiplied by (a division costs several multiplications), one used once is divided by.
        let parents = Dictionary<int, int>()

        for n in ordered do
            let children =
                match n.Node with
                | Sum xs
                | Prod xs
                | Fn(_, xs) -> xs
                | Pow(b, p) -> [| b; p |]
                | _ -> [||]

            for c in children do
                parents.[c.Id] <-
                    (match parents.TryGetValue c.Id with
                     | true, k -> k + 1
                     | _ -> 1)

        /// A product, times -1 when negate: the coefficient first, factors with a negative exact
        /// exponent that nothing else uses as one denominator (a*b^-1 -> a / b, b^-1 -> 1 / b), a
        /// -1 as a negation (-x) or a sign on the first factor (-x * y, one instruction).
        let product (fs: Expr[]) (negate: bool) =
            let c = fs |> Array.choose numeric |> Array.fold (*) (if negate then -1.0 else 1.0)

            let numerator = ResizeArray<int>()
            let denominator = ResizeArray<int>()

            for f in fs do
                match f.Node with
                | Num _
                | Real _ -> ()
                | Pow(b, p) ->
                    match p.Node with
                    | Num r when r.Sign < 0 && parents.[f.Id] = 1 -> denominator.Add(power (slot b) (-r))
                    | _ -> numerator.Add(slot f)
                | _ -> numerator.Add(slot f)

            let signed = c <> 1.0 && (c <> -1.0 || numerator.Count <> 1)

            if signed then
                numerator.Insert(0, constant c)

            let core =
                match List.ofSeq numerator, List.ofSeq denominator with
                | [], [] -> constant 1.0
                | num, [] -> gather OpCode.Mul num
                | [], den -> op1 OpCode.Reciprocal (gather OpCode.Mul den)
                | num, den -> opN OpCode.Divide [| gather OpCode.Mul num; gather OpCode.Mul den |]

            if c = -1.0 && not signed then
                op1 OpCode.Negate core
            else
                core

        /// A term of a sum that is negative: the slot of its magnitude.
        let negativeTerm (e: Expr) =
            match e.Node with
            | Num r when r.Sign < 0 -> Some(constant (-(r.ToDouble())))
            | Real x when x < 0.0 -> Some(constant -x)
            | Prod fs when (fs |> Array.choose numeric |> Array.fold (*) 1.0) < 0.0 -> Some(product fs true)
            | _ -> None

        /// a + b - c - d: the positive terms summed, the negative ones subtracted.
        let sum (ts: Expr[]) =
            let negative = ts |> Array.map negativeTerm

            let positive =
                Array.zip ts negative
                |> Array.choose (fun (t, n) -> if n.IsNone then Some(slot t) else None)
                |> List.ofArray

            let negative = negative |> Array.choose id |> List.ofArray

            match positive, negative with
            | _, [] -> gather OpCode.Add positive
            | [], _ -> op1 OpCode.Negate (gather OpCode.Add negative)
            | _ -> opN OpCode.Subtract (Array.ofList (gather OpCode.Add positive :: negative))

        for n in ordered do
            let s =
                match n.Node with
                | Num r -> constant (r.ToDouble())
                | Real x -> constant x
                | Sym s ->
                    match s.Kind with
                    | Time -> emit OpCode.Input [||] 0.0 "t" InputKind.Time 0
                    | Coordinate -> emit OpCode.Input [||] 0.0 s.Name InputKind.Coordinate coordinateIndex.[s.Name]
                    | Velocity -> emit OpCode.Input [||] 0.0 s.Name InputKind.Velocity coordinateIndex.[s.Name]
                    | Parameter -> emit OpCode.Input [||] 0.0 s.Name InputKind.Parameter parameterIndex.[s.Name]
                    | _ -> raise (DerivationError $"cannot lower the symbol {s} into a kernel")
                | Sig(name, k) ->
                    let i =
                        match Seq.tryFindIndex (fun (x: SignalInput) -> x.Name = name && x.Order = k) signalInputs with
                        | Some i -> i
                        | None ->
                            signalInputs.Add(SignalInput(name, k))
                            signalInputs.Count - 1

                    emit OpCode.Input [||] 0.0 name InputKind.Signal i
                | Sum ts -> sum ts
                | Prod fs -> product fs false
                | Pow(b, p) ->
                    match p.Node with
                    | Num r when r.Sign < 0 -> op1 OpCode.Reciprocal (power (slot b) (-r))
                    | Num r -> power (slot b) r
                    | _ -> opN OpCode.Pow [| slot b; slot p |]
                | Fn(f, args) -> emit OpCode.Call (args |> Array.map slot) 0.0 f InputKind.Time 0

            slots.[n.Id] <- s

        // A call folded to a constant has no tangent, and needs no partials.
        let partials = Dictionary<int, int[]>()

        for n in ordered do
            match partialsOf.TryGetValue n.Id with
            | true, ps when code.[slot n].Op = OpCode.Call -> partials.[slot n] <- ps |> Array.map slot
            | _ -> ()

        let partialsAt i =
            match partials.TryGetValue i with
            | true, ps -> ps
            | _ -> [||]

        // Dead code: folded constants, the parts of products and sums the peephole forms replaced.
        let used = Array.zeroCreate code.Count

        let outputs = roots |> Array.map slot

        // Marked from the outputs through arguments and partials (a partial may come later in
        // the list than the call it belongs to, so this is a graph walk, not one backward pass).
        let pending = Stack<int>(outputs)

        while pending.Count > 0 do
            let i = pending.Pop()

            if not used.[i] then
                used.[i] <- true

                for a in code.[i].Args do
                    pending.Push a

                for a in partialsAt i do
                    pending.Push a

        let renumber = Array.create code.Count -1
        let kept = ResizeArray<Instruction>()

        // Numbers first, then the instructions: a call's partials may come after it.
        let mutable next = 0

        for i in 0 .. code.Count - 1 do
            if used.[i] then
                renumber.[i] <- next
                next <- next + 1

        let re (xs: int[]) = xs |> Array.map (fun x -> renumber.[x])

        for i in 0 .. code.Count - 1 do
            if used.[i] then
                let c = code.[i]
                kept.Add(Instruction(c.Op, re c.Args, c.Value, c.Name, c.InputKind, c.InputIndex, re (partialsAt i)))

        kept.ToArray(), re outputs, signalInputs.ToArray()

    /// Lowers a derivation to the IR: the kernel's straight-line code and its outputs.
    let lower (d: Derivation) : IrProgram =
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

        let code, slots, signalInputs =
            lowerExpressions d.Model d.Q true true (groups |> Seq.concat |> Array.ofSeq)

        let mutable at = 0

        let take k =
            let xs = slots.[at .. at + k - 1]
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

        IrProgram(
            ModelName = d.Model.Name,
            CoordinateNames = (d.Q |> Array.map (fun s -> s.Name)),
            ConstraintNames = d.ConstraintNames,
            ParameterNames = (d.Model.Parameters |> List.map (fun p -> p.Name) |> Array.ofList),
            ParameterDefaults = (d.Model.Parameters |> List.map (fun p -> p.Value) |> Array.ofList),
            SignalInputs = signalInputs,
            Instructions = code,
            HNorm = Array.map2 (fun ((i, j), _) s -> IrEntry(i, j, s)) hEntries hs,
            IsHDiagonal = d.IsHDiagonal,
            FNorm = fs,
            Gq = Array.map2 (fun (j, i, _) s -> IrEntry(j, i, s)) gqEntries gqs,
            Gamma = gammas,
            G = gs,
            Gdot = gdots,
            Varpi = varpi,
            A = Array.map2 (fun ((j, k), _) s -> IrEntry(j, k, s)) aEntries as',
            B = bslots
        )

    /// Lowers named expressions of (t, q, qdot, p, signals) over a derivation's coordinates:
    /// what a run reads besides the kernel (the loss, the plot expressions, the masses,
    /// d/dt log varpi), so that the runtime never walks an expression.
    let observablesOf (d: Derivation) (inlineFormulas: bool) (named: (string * Expr)[]) : ObservableProgram =
        let code, outputs, signalInputs =
            lowerExpressions d.Model d.Q false inlineFormulas (named |> Array.map snd)

        ObservableProgram(
            CoordinateNames = (d.Q |> Array.map (fun s -> s.Name)),
            ParameterNames = (d.Model.Parameters |> List.map (fun p -> p.Name) |> Array.ofList),
            SignalInputs = signalInputs,
            Instructions = code,
            OutputNames = (named |> Array.map fst),
            Outputs = outputs
        )

    /// What a run reads besides the kernel, in this order: the loss V (with the stabilization
    /// penalty), d/dt log varpi, each coordinate's mass, then the simulate line's plot expressions.
    let runObservables (d: Derivation) : ObservableProgram =
        let model = d.Model

        observablesOf d true [|
            yield "loss", d.Loss
            yield "dlog_varpi", Calculus.diff Calculus.time (Functions.log d.Varpi)
            for c in model.Coordinates do
                yield $"mass {c.Name}", c.Mass
            for p in model.Simulation.Plots do
                yield Print.text p, p
        |]

/// The feedforward map of a trained network, lowered: neuron by neuron in the network's order,
/// each neuron's value from its own constraint G_j = x_j - f_j(...) = 0 (so x_j = -G_j at
/// x_j = 0, with the neurons before it substituted), as a function of the weights (and biases,
/// slacks: coordinates) and of the signals, which are inputs (a data row's features). Works for
/// every declared form whose output enters as x_j with coefficient 1.
module Prediction =
    let program (d: Derivation) (network: NetworkInfo) : ObservableProgram =
        let byName = d.Model.Constraints |> List.map (fun c -> c.Name, c) |> Map.ofList
        let values = Dictionary<Expr, Expr>(HashIdentity.Reference)

        for n in List.concat network.Layers do
            let c =
                match byName.TryFind n with
                | Some c -> c
                | None -> raise (DerivationError $"network '{network.Name}': no constraint for neuron '{n}'")

            let symbol = { Name = n; Kind = Coordinate }
            let slope = Calculus.diff symbol c.G

            if not (Expr.isOne slope) then
                raise (
                    DerivationError
                        $"network '{network.Name}': neuron '{n}' is not of the form x - f(...) (dG/dx = {Print.text slope}), so it cannot be evaluated feedforward"
                )

            let x = Expr.symbol symbol
            values.[x] <- Expr.zero
            values.[x] <- Expr.neg (List.head (Calculus.substituteMany values [ c.G ]))

        Lower.observablesOf d false [| for o in network.Outputs -> o, values.[Expr.sym o Coordinate] |]
