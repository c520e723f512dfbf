namespace Stlp.Model

open System
open Stlp.Model.Syntax

/// What a name in an expression stands for.
type Binding =
    | BoundSymbol of Symbol
    | BoundSignal of string
    /// A value bound by a constraint form's instantiation (its output, a bias, ...).
    | BoundValue of Expr
    /// One value per in-edge, indexed by `i` inside `sum(...)`.
    | BoundArray of Expr[]

/// Where an expression occurs, which decides what it may contain.
type ExprContext =
    /// Inside a constraint: every function must be C², no velocities.
    | InConstraint of string
    /// In F(t, q, qdot): velocities allowed.
    | InForce
    /// Anywhere else (loss, dissipation, masses, initial values, signals, parameters).
    | Elsewhere

/// Turns syntax into canonical expressions, checking names, arities and smoothness, and
/// reporting each problem at its place in the source.
module Resolve =
    type Scope = {
        Lookup: string -> Binding option
        Context: ExprContext
        /// The activation that `sigma` stands for inside a constraint form.
        Activation: string option
        /// The value of the index `i` while a `sum(...)` is expanded.
        Index: int option
        /// The length of the arrays that `sum(...)` runs over.
        ArrayLength: int option
        /// Whether constants must be finite (they must in a model; printed expressions such as
        /// 0^-2 may be read back as they are).
        Finite: bool
    }

    let scope lookup context = {
        Lookup = lookup
        Context = context
        Activation = None
        Index = None
        ArrayLength = None
        Finite = true
    }

    /// The built-in constants: `pi` (the double nearest to it) and `e` (`exp(1)`, kept exact).
    /// They stand behind every name a model defines: a model's own `pi` or `e` shadows them.
    let builtinConstant (name: string) : Expr option =
        match name with
        | "pi" -> Some(Expr.real Math.PI)
        | "e" -> Some(Functions.exp Expr.one)
        | _ -> None

    /// `lookup`, with the built-in constants for the names it does not know.
    let withConstants (lookup: string -> Binding option) (name: string) : Binding option =
        match lookup name with
        | Some b -> Some b
        | None -> builtinConstant name |> Option.map BoundValue

    let private literal (p: SourcePos) (text: string) =
        if text.Contains '.' || text.Contains 'e' || text.Contains 'E' then
            match
                System.Double.TryParse(
                    text,
                    System.Globalization.NumberStyles.Float,
                    System.Globalization.CultureInfo.InvariantCulture
                )
            with
            | true, v when Double.IsFinite v -> Expr.real v
            | true, _ -> Errors.fail InvalidModel p $"the number '{text}' is too large for a double"
            | _ -> Errors.fail ParseError p $"'{text}' is not a number"
        elif text.Length > 400 then
            Errors.fail InvalidModel p $"the number '{text.Substring(0, 20)}...' has too many digits ({text.Length})"
        else
            Expr.num (Rational.ParseDecimal text)

    let private noValues = Evaluate.ofMaps Map.empty Map.empty

    /// Whether an expression has no symbols and no signals (stops at the first one it meets).
    let rec private isConstant (e: Expr) =
        match e.Node with
        | Num _
        | Real _ -> true
        | Sym _
        | Sig _ -> false
        | Pow(a, b) -> isConstant a && isConstant b
        | Sum xs
        | Prod xs
        | Fn(_, xs) -> Array.forall isConstant xs

    /// The value of a constant part of an expression: a number, or a power or function of constants.
    let private constantValue (e: Expr) =
        match e.Node with
        | Num r -> Some(r.ToDouble())
        | Real x -> Some x
        | Pow _
        | Fn _ when isConstant e -> Some(Evaluate.eval noValues e)
        | _ -> None

    /// A constant that is not a finite number (1e999, 10^10^10, 1/0, 0^-1, sqrt(-1)) is an error
    /// at the place it was written. Only the node's own terms and factors are looked at, so the
    /// check is linear over a whole expression.
    let private checkFinite (p: SourcePos) (e: Expr) =
        let parts =
            match e.Node with
            | Sum ts ->
                ts
                |> Array.collect (fun t ->
                    match t.Node with
                    | Prod fs -> fs
                    | _ -> [| t |])
            | Prod fs -> fs
            | _ -> [| e |]

        let bad =
            parts
            |> Array.tryPick (fun x ->
                match constantValue x with
                | Some v when not (Double.IsFinite v) -> Some(x, v)
                | _ -> None)

        match bad with
        | Some(x, v) ->
            let text = Print.text x

            let text =
                if text.Length > 60 then
                    text.Substring(0, 60) + "..."
                else
                    text

            let why =
                if Double.IsNaN v then
                    "it is undefined (a square root or logarithm of a negative number, 0/0, ...)"
                else
                    "it overflows or divides by zero"

            Errors.fail InvalidModel p $"'{text}' is not a finite number: {why}"
        | None -> ()

    let private arityError p (name: string) expected got =
        Errors.fail WrongArity p $"'{name}' takes {expected} argument(s), but {got} were given"

    let rec toExpr (sc: Scope) (e: SExpr) : Expr =
        let r = resolve sc e

        if sc.Finite then
            checkFinite e.Pos r

        r

    and private resolve (sc: Scope) (e: SExpr) : Expr =
        let recur = toExpr sc

        match e.Node with
        | Number text -> literal e.Pos text
        | Unary(_, a) -> Expr.neg (recur a)
        | Binary(op, _, _) when op <> '^' ->
            // A chain a + b - c + ... (or a * b / c ...) is a left spine as long as the sum: walk
            // it in a loop and build one n-ary node, so that neither the stack nor the time
            // grows with the number of terms.
            let additive = op = '+' || op = '-'

            let sameChain o =
                if additive then o = '+' || o = '-' else o = '*' || o = '/'

            let rest = ResizeArray<char * SExpr>()
            let mutable first = e
            let mutable walking = true

            while walking do
                match first.Node with
                | Binary(o, a, b) when sameChain o ->
                    rest.Add((o, b))
                    first <- a
                | _ -> walking <- false

            rest.Reverse()

            if additive then
                let operands = ResizeArray<Expr>(rest.Count + 1)
                operands.Add(recur first)

                for o, b in rest do
                    let x = recur b
                    operands.Add(if o = '+' then x else Expr.neg x)

                Expr.add operands
            else
                // Products fold pairwise, as written: a parenthesized product longer than
                // Expr.maxFlatten stays one factor, so printed products parse back to themselves.
                let mutable acc = recur first

                for o, b in rest do
                    let x = recur b

                    if o = '/' && Expr.isZero x && sc.Finite then
                        Errors.fail InvalidModel b.Pos "division by zero"

                    acc <- if o = '*' then Expr.mul2 acc x else Expr.div acc x

                acc
        | Binary(op, a, b) ->
            let a, b = recur a, recur b

            match op with
            | '+' -> Expr.add2 a b
            | '-' -> Expr.sub a b
            | '*' -> Expr.mul2 a b
            | '/' -> Expr.div a b
            | _ -> Expr.pow a b
        | Ident("i", 0) when sc.Index.IsSome -> Expr.ofInt sc.Index.Value
        | Ident(name, primes) ->
            match sc.Lookup name with
            | Some(BoundSymbol s) when primes = 0 -> Expr.symbol s
            | Some(BoundSymbol({ Kind = Coordinate } as s)) ->
                if sc.Context <> InForce then
                    let where =
                        match sc.Context with
                        | InConstraint c -> $"constraint '{c}'"
                        | _ -> "this expression"

                    Errors.fail
                        InvalidModel
                        e.Pos
                        $"""velocity {name}{String.replicate primes "'"} is not allowed in {where}: only F(t, q, qdot) may depend on velocities"""
                elif primes = 1 then
                    Expr.symbol (Calculus.velocityOf s)
                elif primes = 2 then
                    Errors.fail
                        InvalidModel
                        e.Pos
                        $"F depends on the acceleration {name}'': that makes the Euler-Lagrange equations fourth order, which is not supported (docs/equations.md §2)"
                else
                    Errors.fail InvalidModel e.Pos $"'{name}' has too many primes"
            | Some(BoundSymbol s) ->
                Errors.fail InvalidModel e.Pos $"'{s.Name}' is not a coordinate and has no velocity"
            | Some(BoundValue v) when primes = 0 -> v
            | Some(BoundSignal s) -> Errors.fail WrongArity e.Pos $"signal '{s}' is a function of time: write {s}(t)"
            | Some(BoundArray _) ->
                Errors.fail InvalidModel e.Pos $"'{name}' is an array: write {name}[i] inside sum(...)"
            | _ when name = "t" && primes = 0 -> Calculus.timeExpr
            | _ -> Errors.fail UndefinedName e.Pos $"undefined name '{name}'"
        | Index(name, ix) ->
            match sc.Lookup name with
            | Some(BoundArray xs) ->
                let i =
                    match ix.Node with
                    | Ident("i", 0) when sc.Index.IsSome -> sc.Index.Value
                    | Number n ->
                        match
                            Int32.TryParse(
                                n,
                                Globalization.NumberStyles.None,
                                Globalization.CultureInfo.InvariantCulture
                            )
                        with
                        | true, k -> k
                        | _ ->
                            Errors.fail
                                InvalidModel
                                ix.Pos
                                $"an array index must be i (inside sum) or a whole number, not '{n}'"
                    | _ -> Errors.fail InvalidModel ix.Pos "an array index must be i (inside sum) or an integer"

                if i < 0 || i >= xs.Length then
                    Errors.fail InvalidModel ix.Pos $"index {i} is outside '{name}' (length {xs.Length})"

                xs.[i]
            | Some _ -> Errors.fail InvalidModel e.Pos $"'{name}' is not an array"
            | None -> Errors.fail UndefinedName e.Pos $"undefined name '{name}'"
        | Call("sum", 0, args) ->
            match args, sc.ArrayLength with
            | [ body ], Some n -> Expr.add [ for i in 0 .. n - 1 -> toExpr { sc with Index = Some i } body ]
            | [ _ ], None ->
                Errors.fail
                    InvalidModel
                    e.Pos
                    "sum(...) runs over the in-edges and is only allowed in a constraint form"
            | _ -> arityError e.Pos "sum" 1 args.Length
        | Call(name, primes, args) ->
            match sc.Lookup name with
            | Some(BoundSignal s) ->
                match args with
                | [ { Node = Ident("t", 0) } ] -> Expr.signal s primes
                | [ a ] -> Errors.fail InvalidModel a.Pos $"signal '{s}' can only be evaluated at t"
                | _ -> arityError e.Pos name 1 args.Length
            | Some _ -> Errors.fail InvalidModel e.Pos $"'{name}' is not a function"
            | None ->
                let fname =
                    if name = "sigma" then
                        match sc.Activation with
                        | Some a -> a
                        | None -> "sigmoid"
                    else
                        name

                match Functions.tryFind fname with
                | None -> Errors.fail UndefinedName e.Pos $"undefined function '{name}'"
                | Some _ when primes > 0 ->
                    Errors.fail InvalidModel e.Pos $"write the derivative of '{name}' explicitly"
                | Some p ->
                    if args.Length <> p.Arity then
                        arityError e.Pos name p.Arity args.Length

                    match sc.Context with
                    | InConstraint c when not p.IsC2 ->
                        Errors.fail
                            NotSmooth
                            e.Pos
                            $"'{fname}' is not twice continuously differentiable and cannot appear in constraint '{c}'"
                    | _ -> ()

                    Functions.apply fname (args |> List.map recur |> Array.ofList)

    /// Parses and resolves an expression; `names` maps each name to its binding. Non-finite
    /// constants are kept (printed text reads back to the same expression).
    let parseExpression (names: Map<string, Binding>) (text: string) =
        toExpr
            {
                scope (withConstants names.TryFind) InForce with
                    Finite = false
            }
            (Parser.parseExpr text)
