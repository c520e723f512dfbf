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
