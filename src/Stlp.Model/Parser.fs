namespace Stlp.Model

open System
open FParsec
open Stlp.Model.Syntax

/// The `.stlp` model language. Statements start with a keyword; newlines are ordinary
/// whitespace; `#` starts a comment that runs to the end of the line.
module Parser =
    type private P<'a> = Parser<'a, unit>

    /// Words that end an expression or start a statement, so they cannot be names.
    let reserved =
        set [
            "from"
            "to"
            "step"
            "method"
            "rtol"
            "atol"
            "stabilize"
            "output"
            "outputs"
            "plot"
            "model"
            "param"
            "signal"
            "data"
            "input"
            "neuron"
            "weight"
            "slack"
            "coord"
            "constraint"
            "dissipation"
            "loss"
            "F"
            "form"
            "network"
            "simulate"
            "mass"
            "init"
            "velocity"
            "guess"
        ]

    let private comment: P<unit> = pchar '#' >>. skipRestOfLine false
    let private ws: P<unit> = skipMany (spaces1 <|> comment)

    let private pos: P<SourcePos> =
        getPosition
        |>> fun p -> {
            Line = int p.Line
            Column = int p.Column
        }

    let private str (s: string) : P<unit> = skipString s >>. ws
    let private isIdStart c = Char.IsLetter c || c = '_'
    let private isIdChar c = Char.IsLetterOrDigit c || c = '_'

    let private keyword (k: string) : P<unit> =
        attempt (skipString k >>. notFollowedBy (satisfy isIdChar)) >>. ws <?> $"'{k}'"

    let private rawIdent: P<string> = many1Satisfy2L isIdStart isIdChar "a name"

    /// A name that is not a reserved word (backtracks when it is, so options can follow).
    let private ident: P<string> =
        attempt (
            rawIdent
            >>= fun s ->
                if reserved.Contains s then
                    fail $"'{s}' is a reserved word"
                else
                    preturn s
        )

    let private name: P<Name> =
        pipe2 pos (ident .>> ws) (fun p s -> { Text = s; Pos = p })

    /// Any word, reserved or not, for option values such as method names.
    let private word: P<Name> =
        pipe2 pos (rawIdent .>> ws) (fun p s -> { Text = s; Pos = p })

    let private integer: P<int> = pint32 .>> ws

    // ---- expressions ----

    let private opp = OperatorPrecedenceParser<SExpr, SourcePos, unit>()
    let expr: P<SExpr> = opp.ExpressionParser <?> "an expression"

    let private number: P<SExpr> =
        pipe2
            pos
            (numberLiteral (NumberLiteralOptions.AllowFraction ||| NumberLiteralOptions.AllowExponent) "a number"
             .>> ws)
            (fun p n -> { Node = Number n.String; Pos = p })

    let private primes: P<int> = manyChars (pchar '\'') |>> String.length

    let private args: P<SExpr list> = between (str "(") (str ")") (sepBy expr (str ","))

    let private identOrCall: P<SExpr> =
        pipe4
            pos
            ident
            primes
            (ws
             >>. opt ((args |>> Choice1Of2) <|> (between (str "[") (str "]") expr |>> Choice2Of2)))
            (fun p n k rest ->
                match rest with
                | None -> { Node = Ident(n, k); Pos = p }
                | Some(Choice1Of2 a) -> { Node = Call(n, k, a); Pos = p }
                | Some(Choice2Of2 i) -> { Node = Index(n, i); Pos = p })

    let private term = number <|> identOrCall <|> between (str "(") (str ")") expr

    do
        opp.TermParser <- term
        let after = pos .>> ws
        let bin op (p: SourcePos) (a: SExpr) (b: SExpr) = { Node = Binary(op, a, b); Pos = a.Pos }
        opp.AddOperator(InfixOperator("+", after, 1, Associativity.Left, (), fun p a b -> bin '+' p a b))
        opp.AddOperator(InfixOperator("-", after, 1, Associativity.Left, (), fun p a b -> bin '-' p a b))
        opp.AddOperator(InfixOperator("*", after, 2, Associativity.Left, (), fun p a b -> bin '*' p a b))
        opp.AddOperator(InfixOperator("/", after, 2, Associativity.Left, (), fun p a b -> bin '/' p a b))
        opp.AddOperator(InfixOperator("^", after, 4, Associativity.Right, (), fun p a b -> bin '^' p a b))
        opp.AddOperator(PrefixOperator("-", after, 3, true, (), fun p a -> { Node = Unary('-', a); Pos = p }))
        opp.AddOperator(PrefixOperator("+", after, 3, true, (), fun _ a -> a))

    // ---- statements ----

    let private listOf (p: P<'a>) : P<'a list> =
        pipe2 p (many (attempt (str "," >>. p))) (fun x xs -> x :: xs)

    let private coordOption: P<CoordOption> =
        choice [
            keyword "mass" >>. expr |>> Mass
            keyword "init" >>. expr |>> Init
            keyword "velocity" >>. expr |>> InitVelocity
            keyword "guess" >>. expr |>> Guess
        ]

    let private coordKind: P<CoordinateKind> =
        choice [
            keyword "input" >>% InputCoord
            keyword "neuron" >>% NeuronCoord
            keyword "weight" >>% WeightCoord
            keyword "slack" >>% SlackCoord
            keyword "coord" >>% GenericCoord
        ]

    let private coordDecl: P<Statement> =
        pipe4 coordKind name (opt (str "=" >>. expr)) (many coordOption) (fun k n eq opts -> CoordDecl(k, n, eq, opts))

    let private dataOption: P<DataOption> =
        choice [
            keyword "target"
            >>. pipe2 word (opt (keyword "onehot")) (fun n o -> Target(n, o.IsSome))
            keyword "present" >>. expr |>> Present
            keyword "mollify" >>. expr |>> Mollify
            keyword "epochs" >>. integer |>> Epochs
            keyword "split" >>. expr |>> Split
            keyword "seed" >>. integer |>> Seed
            keyword "standardize" >>% Standardize
        ]

    let private quoted: P<string> =
        between (pchar '"') (pchar '"' >>. ws) (manySatisfy (fun c -> c <> '"' && c <> '\n'))
        <?> "a quoted path"

    let private dataDef: P<Statement> =
        keyword "data"
        >>. pipe3
            name
            (str "=" >>. keyword "csv" >>. quoted)
            (many (optional (str ",") >>. dataOption))
            (fun n path opts -> DataDef(n, path, opts))

    /// `in[]` (one per in-edge), `b` (a weight per neuron), `s: slack` (a coordinate of that kind).
    let private formParamTyped: P<FormParam> =
        let role = (keyword "signal" >>% None) <|> (coordKind |>> Some)

        pipe2 name (opt ((str "[" >>. str "]" >>% None) <|> (str ":" >>. role |>> Some))) (fun n suffix ->
            match suffix with
            | Some None -> ArrayParam n
            | Some(Some k) -> ScalarParam(n, k)
            | None -> ScalarParam(n, Some WeightCoord))

    let private formDef: P<Statement> =
        keyword "form"
        >>. pipe4
            word
            (str "(" >>. name)
            (opt (str ";" >>. sepBy formParamTyped (str ",")) .>> str ")")
            (str "=" >>. expr)
            (fun n out ps body -> FormDef(n, out, defaultArg ps [], body))

    let private edge: P<Name * Name> = name .>>. (str "->" >>. name)

    let private networkOption: P<NetworkOption> =
        choice [
            keyword "activation" >>. word |>> Activation
            keyword "form" >>. word |>> UseForm
            keyword "data" >>. name |>> Data
            keyword "inputs" >>. listOf expr |>> Inputs
            keyword "targets" >>. listOf expr |>> Targets
            keyword "mass" >>. many1 (name .>>. expr) |>> Masses
            keyword "init"
            >>. keyword "weights"
            >>. ((keyword "random"
                  >>. pipe2 expr (opt (keyword "seed" >>. integer)) (fun e s -> InitWeights(true, e, s)))
                 <|> (expr |>> fun e -> InitWeights(false, e, None)))
            keyword "loss" >>. word |>> Loss
            keyword "edges" >>. listOf edge |>> Edges
            keyword "input" >>. pipe2 name (str "=" >>. expr) (fun n e -> InputVertex(n, e))
            keyword "target"
            >>. pipe2 name (str "=" >>. expr) (fun n e -> TargetVertex(n, e))
            keyword "slack" >>% Slack true
            keyword "noslack" >>% Slack false
        ]
        <?> "a network option (activation, form, data, inputs, targets, mass, init, loss, edges, input, target, slack)"

    let private networkBody =
        between (str "{") (str "}") (many (networkOption .>> optional (str ";" <|> str ",")))

    let private network: P<Statement> =
        pos .>> keyword "network"
        >>= fun p ->
            (keyword "feedforward"
             >>. pipe3 (opt name) (sepBy1 pint32 (pchar '-') .>> ws) networkBody (fun n sizes opts ->
                 Network(Feedforward sizes, n, opts, p)))
            <|> (keyword "digraph"
                 >>. pipe2 (opt name) networkBody (fun n opts -> Network(Digraph, n, opts, p)))

    let private simOption: P<SimOption> =
        choice [
            keyword "from" >>. pipe2 expr (keyword "to" >>. expr) (fun a b -> Span(a, b))
            keyword "step" >>. expr |>> Step
            keyword "method" >>. word |>> Method
            keyword "rtol" >>. expr |>> RelTol
            keyword "atol" >>. expr |>> AbsTol
            keyword "stabilize"
            >>. pipe2 word (many (attempt expr)) (fun n a -> Stabilize(n, a))
            keyword "output" >>. keyword "every" >>. expr |>> OutputEvery
            keyword "outputs" >>. listOf word |>> Outputs
            keyword "plot" >>. listOf expr |>> Plot
        ]

    let private simulate: P<Statement> =
        pos .>> keyword "simulate"
        >>= fun p ->
            optional (keyword "t") >>. many1 (simOption .>> optional (str ","))
            |>> fun opts -> Simulate(opts, p)

    let private statement: P<Statement> =
        choice [
            keyword "model" >>. name |>> ModelName
            keyword "param" >>. pipe2 name (str "=" >>. expr) (fun n e -> Param(n, e))
            keyword "signal"
            >>. pipe3 name (between (str "(") (str ")") name) (str "=" >>. expr) (fun n a e -> SignalDef(n, a, e))
            dataDef
            coordDecl
            keyword "constraint"
            >>. pipe3 name (str ":" >>. expr) (str "=" >>. expr) (fun n l r -> ConstraintDef(n, l, r))
            keyword "dissipation" >>. expr |>> Dissipation
            keyword "loss" >>. expr |>> LossTerm
            keyword "F" >>. str "=" >>. expr |>> ForceTerm
            formDef
            network
            simulate
        ]
        <?> "a statement (model, param, signal, data, input, neuron, weight, slack, coord, constraint, dissipation, loss, F, form, network, simulate)"

    let private located = pipe2 pos statement (fun p s -> { Statement = s; Pos = p })

    let private modelFile: P<Located list> = ws >>. many located .>> eof

    let private toError (err: ParserError) =
        // Build the explanation from FParsec's structured messages: our own messages, then what
        // was expected (whitespace and comments are always possible, so they are not listed).
        let rec collect (msgs: ErrorMessageList) =
            ErrorMessageList.ToSortedArray msgs
            |> Array.toList
            |> List.collect (fun m ->
                match m with
                | :? ErrorMessage.Expected as e -> [ Choice1Of2 e.Label ]
                | :? ErrorMessage.ExpectedString as e -> [ Choice1Of2 $"'{e.String}'" ]
                | :? ErrorMessage.ExpectedCaseInsensitiveString as e -> [ Choice1Of2 $"'{e.CaseInsensitiveString}'" ]
                | :? ErrorMessage.Message as e -> [ Choice2Of2 e.String ]
                | :? ErrorMessage.NestedError as e -> collect e.Messages
                | :? ErrorMessage.CompoundError as e -> collect e.NestedErrorMessages
                | _ -> [])

        let items = collect err.Messages

        let expected =
            items
            |> List.choose (function
                | Choice1Of2 s -> Some s
                | _ -> None)
            |> List.filter (fun s -> s <> "whitespace" && s <> "'#'")
            |> List.distinct

        let messages =
            items
            |> List.choose (function
                | Choice2Of2 s -> Some s
                | _ -> None)
            |> List.distinct

        let expectedText =
            match expected with
            | [] -> []
            | [ one ] -> [ $"expected {one}" ]
            | many ->
                let init = many |> List.take (many.Length - 1)
                [ $"""expected {String.Join(", ", init)} or {List.last many}""" ]

        let text = String.Join("; ", messages @ expectedText)

        let pos = {
            Line = int err.Position.Line
            Column = int err.Position.Column
        }

        ModelError(ParseError, Some pos, (if text = "" then "syntax error" else text))

    /// Parses a model file's text into located statements, or raises `ModelError`.
    let parse (text: string) : Located list =
        match run modelFile text with
        | Success(r, _, _) -> r
        | Failure(_, err, _) -> raise (toError err)

    /// Parses a single expression (the whole text).
    let parseExpr (text: string) : SExpr =
        match run (ws >>. expr .>> eof) text with
        | Success(r, _, _) -> r
        | Failure(_, err, _) -> raise (toError err)
