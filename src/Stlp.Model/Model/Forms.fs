namespace Stlp.Model

open Stlp.Model.Syntax

/// A named constraint form, declared once and instantiated per neuron by the network builders:
/// `form biased(x; in[], w[], b) = x - sigma(sum(w[i]*in[i]) + b)`. The first array parameter
/// receives a neuron's in-edge sources, the second their weights; `sigma` is the network's
/// activation; a scalar parameter is a new coordinate per neuron (a weight unless typed, e.g.
/// `s: slack`) or, typed `signal`, a value the builder supplies.
type ConstraintForm = {
    Name: string
    Output: string
    Params: FormParam list
    Body: SExpr
    Pos: SourcePos option
} with

    member f.Arrays =
        f.Params
        |> List.choose (function
            | ArrayParam n -> Some n.Text
            | _ -> None)

    member f.Scalars =
        f.Params
        |> List.choose (function
            | ScalarParam(n, k) -> Some(n.Text, k)
            | _ -> None)

module Forms =
    /// The paper's neuron forms, written in the model language itself.
    let preludeText =
        """
        # G = x - e(t): an input neuron clamped to its signal.
        form input(x; e: signal) = x - e
        # G = x - sigma(sum_k w_k x_k): the paper's neuron.
        form neuron(x; in[], w[]) = x - sigma(sum(w[i]*in[i]))
        # The same with a bias, itself a weight coordinate.
        form biased(x; in[], w[], b) = x - sigma(sum(w[i]*in[i]) + b)
        # Eq. (11): a recurrent neuron with its slack variable.
        form slack_neuron(x; in[], w[], s: slack) = x - sigma(sum(w[i]*in[i])) + s
        """

    let ofStatement (n: Name) (output: Name) (ps: FormParam list) (body: SExpr) =
        let arrays =
            ps
            |> List.filter (function
                | ArrayParam _ -> true
                | _ -> false)

        if arrays.Length > 2 then
            Errors.fail
                InvalidModel
                n.Pos
                $"form '{n.Text}' has {arrays.Length} array parameters; at most two (in-edge sources, then weights) are supported"

        let names =
            output
            :: (ps
                |> List.map (function
                    | ArrayParam n
                    | ScalarParam(n, _) -> n))

        names
        |> List.groupBy (fun n -> n.Text)
        |> List.iter (fun (t, group) ->
            if group.Length > 1 then
                Errors.fail DuplicateName group.[1].Pos $"parameter '{t}' appears twice in form '{n.Text}'")

        {
            Name = n.Text
            Output = output.Text
            Params = ps
            Body = body
            Pos = Some n.Pos
        }

    let prelude: ConstraintForm list =
        Parser.parse preludeText
        |> List.choose (fun s ->
            match s.Statement with
            | FormDef(n, o, ps, b) -> Some(ofStatement n o ps b)
            | _ -> None)

    /// Instantiates a form for one neuron: `arrays` are the in-edge sources and weights, `scalars`
    /// the values of the scalar parameters in order. Global names resolve through `lookup`.
    let instantiate
        (form: ConstraintForm)
        (lookup: string -> Binding option)
        (activation: string)
        (constraintName: string)
        (output: Expr)
        (arrays: Expr[] list)
        (scalars: Expr list)
        : Expr =
        let where = defaultArg form.Pos { Line = 0; Column = 0 }

        if arrays.Length <> form.Arrays.Length then
            Errors.fail
                WrongArity
                where
                $"form '{form.Name}' takes {form.Arrays.Length} array argument(s), {arrays.Length} given for '{constraintName}'"

        if scalars.Length <> form.Scalars.Length then
            Errors.fail
                WrongArity
                where
                $"form '{form.Name}' takes {form.Scalars.Length} scalar argument(s), {scalars.Length} given for '{constraintName}'"

        let local =
            Map.ofList (
                (form.Output, BoundValue output)
                :: List.zip form.Arrays (arrays |> List.map BoundArray)
                @ List.zip (form.Scalars |> List.map fst) (scalars |> List.map BoundValue)
            )

        let scope = {
            Resolve.scope
                (fun n ->
                    match local.TryFind n with
                    | Some b -> Some b
                    | None -> lookup n)
                (InConstraint constraintName) with
                Activation = Some activation
                ArrayLength = arrays |> List.tryHead |> Option.map Array.length
        }

        Resolve.toExpr scope form.Body

    /// The syntax of an expression without its positions, to compare two sums' bodies.
    let rec private shape (e: SExpr) : string =
        match e.Node with
        | Number t -> t
        | Ident(n, k) -> n + String.replicate k "'"
        | Call(n, k, args) ->
            n
            + String.replicate k "'"
            + "("
            + (args |> List.map shape |> String.concat ",")
            + ")"
        | Index(n, i) -> $"{n}[{shape i}]"
        | Unary(op, a) -> $"({op}{shape a})"
        | Binary(op, a, b) -> $"({shape a}{op}{shape b})"

    let rec private sums (e: SExpr) : SExpr list =
        match e.Node with
        | Call("sum", 0, [ body ]) -> [ body ]
        | Call(_, _, args) -> List.collect sums args
        | Index(_, i) -> sums i
        | Unary(_, a) -> sums a
        | Binary(_, a, b) -> sums a @ sums b
        | _ -> []

    let rec private replaceSums (by: SNode) (e: SExpr) : SExpr =
        let recur = replaceSums by

        match e.Node with
        | Call("sum", 0, [ _ ]) -> { e with Node = by }
        | Call(n, k, args) -> {
            e with
                Node = Call(n, k, List.map recur args)
          }
        | Index(n, i) -> { e with Node = Index(n, recur i) }
        | Unary(op, a) -> { e with Node = Unary(op, recur a) }
        | Binary(op, a, b) -> {
            e with
                Node = Binary(op, recur a, recur b)
          }
        | _ -> e

    /// The key of a form with an activation.
    let templateKey (form: ConstraintForm) (activation: string) = $"{form.Name}/{activation}"

    /// Derives a form once for the structured kernels: the in-edge sum becomes one symbol `#a`,
    /// its summand a function of one edge's `#w` and `#in`. A form whose arrays appear outside
    /// one kind of sum, or that uses other coordinates, is refused with the reason (its model
    /// keeps the straight-line kernel).
    let template (form: ConstraintForm) (lookup: string -> Binding option) (activation: string) : FormTemplate =
        let coordinate name = { Name = "#" + name; Kind = Coordinate }
        let x, a, w, input = coordinate "x", coordinate "a", coordinate "w", coordinate "in"

        let scalars =
            form.Scalars
            |> List.filter (fun (_, k) -> k.IsSome)
            |> List.map (fst >> coordinate)

        let signals =
            form.Scalars
            |> List.filter (fun (_, k) -> k.IsNone)
            |> List.map (fst >> coordinate)

        let empty = {
            Key = templateKey form activation
            Form = form.Name
            Activation = activation
            Phi = Expr.zero
            Edge = None
            X = x
            A = a
            Scalars = scalars
            Signals = signals
            W = w
            In = input
            Refusal = None
        }

        let bodies = sums form.Body
        let distinct = bodies |> List.map shape |> List.distinct

        if distinct.Length > 1 then
            {
                empty with
                    Refusal = Some $"form '{form.Name}' has {distinct.Length} different sums"
            }
        else
            let resolve (arrays: Expr[] list) (length: int) (index: int option) (body: SExpr) =
                let local =
                    Map.ofList (
                        ("#a", BoundValue(Expr.symbol a))
                        :: (form.Output, BoundValue(Expr.symbol x))
                        :: List.zip form.Arrays (arrays |> List.truncate form.Arrays.Length |> List.map BoundArray)
                        @ (form.Scalars
                           |> List.map (fun (n, _) -> n, BoundValue(Expr.symbol (coordinate n))))
                    )

                let scope = {
                    Resolve.scope
                        (fun n ->
                            match local.TryFind n with
                            | Some b -> Some b
                            | None -> lookup n)
                        (InConstraint form.Name) with
                        Activation = Some activation
                        ArrayLength = Some length
                        Index = index
                }

                Resolve.toExpr scope body

            let slots = Set.ofList (x :: a :: w :: input :: scalars @ signals)

            let strangers (e: Expr) =
                Calculus.freeSymbols e
                |> Set.filter (fun s -> s.Kind = Coordinate && not (slots.Contains s))

            try
                let phi = resolve [ [||]; [||] ] 0 None (replaceSums (Ident("#a", 0)) form.Body)

                let edge =
                    bodies
                    |> List.tryHead
                    |> Option.map (resolve [ [| Expr.symbol input |]; [| Expr.symbol w |] ] 1 (Some 0))

                let outside =
                    Set.union (strangers phi) (edge |> Option.map strangers |> Option.defaultValue Set.empty)

                if not outside.IsEmpty then
                    {
                        empty with
                            Refusal =
                                Some
                                    $"form '{form.Name}' uses the coordinate '{outside.MinimumElement.Name}' of no neuron"
                    }
                else
                    { empty with Phi = phi; Edge = edge }
            with ModelError(_, _, message) -> {
                empty with
                    Refusal = Some $"form '{form.Name}' cannot be derived once for all neurons: {message}"
            }
