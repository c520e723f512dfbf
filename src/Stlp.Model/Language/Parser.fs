namespace Stlp.Model

open System
open FParsec
open Stlp.Model.Syntax

/// The `.stlp` model language. Statements start with a keyword; newlines are ordinary
/// whitespace; `#` starts a comment that runs to the end of the line.
module Parser =
    /// The parser's own nesting: open parentheses and brackets, and the run of signs and powers
    /// since the last `+ - * /` (the operator parser recurses on those).
    [<Struct>]
    type private Nesting = { Open: int; Run: int }

    type private P<'a> = Parser<'a, Nesting>

    /// The deepest nesting an expression may have; deeper input is refused with a located error
    /// instead of exhausting the stack of the parser or of the passes after it.
    [<Literal>]
    let MaxDepth = 200

    let private tooDeep =
        $"the expression is nested too deeply (more than {MaxDepth} levels of parentheses, calls, signs or powers)"

    let private chainOf op =
        match op with
        | '+'
        | '-' -> 1
        | '*'
        | '/' -> 2
        | _ -> 0

    /// A syntax node with its depth; raises past `MaxDepth` (the error then ends the parse).
    let node (p: SourcePos) (n: SNode) : SExpr =
        let depth =
            match n with
            | Number _
            | Ident _ -> 0
            | Call(_, _, args) -> 1 + (args |> List.fold (fun m a -> max m a.Depth) 0)
            | Index(_, i) -> 1 + i.Depth
            | Unary(_, a) -> 1 + a.Depth
            | Binary(op, a, b) ->
                let left =
                    match a.Node with
                    | Binary(o, _, _) when chainOf o <> 0 && chainOf o = chainOf op -> a.Depth
                    | _ -> a.Depth + 1

                max left (b.Depth + 1)

        if depth > MaxDepth then
            raise (ModelError(ParseError, Some p, tooDeep))

        { Node = n; Pos = p; Depth = depth }

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

    let private opp = OperatorPrecedenceParser<SExpr, SourcePos, Nesting>()
    let private expr: P<SExpr> = opp.ExpressionParser <?> "an expression"

    /// One more sign or power in a run; past `MaxDepth` a fatal error there.
    let private deeper: P<unit> =
        pos .>>. getUserState
        >>= fun (p, s) ->
            if s.Open + s.Run >= MaxDepth then
                raise (ModelError(ParseError, Some p, tooDeep))
            else
                setUserState { s with Run = s.Run + 1 }

    let private flat: P<unit> = updateUserState (fun s -> { s with Run = 0 })

    let private number: P<SExpr> =
        pipe2
            pos
            (numberLiteral (NumberLiteralOptions.AllowFraction ||| NumberLiteralOptions.AllowExponent) "a number"
             .>> ws)
            (fun p n -> node p (Number n.String))

    let private primes: P<int> = manyChars (pchar '\'') |>> String.length

    /// `p` between an opening and a closing string, one level deeper; past `MaxDepth` an error
    /// at the opening one, raised at once (the parser's own recursion would exhaust the stack,
    /// and no alternative can succeed).
    let private nested (openS: string) (closeS: string) (p: P<'a>) : P<'a> =
        pos .>>. getUserState
        >>= fun (at, s) ->
            if s.Open + s.Run >= MaxDepth then
                raise (ModelError(ParseError, Some at, tooDeep))
            else
                between (str openS >>. setUserState { Open = s.Open + 1; Run = 0 }) (str closeS >>. setUserState s) p

    let private args: P<SExpr list> = nested "(" ")" (sepBy expr (str ","))

    let private identOrCall: P<SExpr> =
        pipe4
            pos
            ident
            primes
            (ws >>. opt ((args |>> Choice1Of2) <|> (nested "[" "]" expr |>> Choice2Of2)))
            (fun p n k rest ->
                match rest with
                | None -> node p (Ident(n, k))
                | Some(Choice1Of2 a) -> node p (Call(n, k, a))
                | Some(Choice2Of2 i) -> node p (Index(n, i)))

    let private term = number <|> identOrCall <|> nested "(" ")" expr

    do
        opp.TermParser <- term
        let after = flat >>. pos .>> ws
        let afterNested = deeper >>. pos .>> ws
        let bin op (p: SourcePos) (a: SExpr) (b: SExpr) = node a.Pos (Binary(op, a, b))
        opp.AddOperator(InfixOperator("+", after, 1, Associativity.Left, (), fun p a b -> bin '+' p a b))
        opp.AddOperator(InfixOperator("-", after, 1, Associativity.Left, (), fun p a b -> bin '-' p a b))
        opp.AddOperator(InfixOperator("*", after, 2, Associativity.Left, (), fun p a b -> bin '*' p a b))
        opp.AddOperator(InfixOperator("/", after, 2, Associativity.Left, (), fun p a b -> bin '/' p a b))
        opp.AddOperator(InfixOperator("^", afterNested, 4, Associativity.Right, (), fun p a b -> bin '^' p a b))
        // `**` is another spelling of `^` (the longest operator matches, so `*` does not take it).
        opp.AddOperator(InfixOperator("**", afterNested, 4, Associativity.Right, (), fun p a b -> bin '^' p a b))
        opp.AddOperator(PrefixOperator("-", afterNested, 3, true, (), fun p a -> node p (Unary('-', a))))
        opp.AddOperator(PrefixOperator("+", afterNested, 3, true, (), fun _ a -> a))

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
            keyword "onehot" >>% OneHot
            keyword "shuffle"
            >>. ((keyword "off" >>% Shuffle false) <|> (keyword "on" >>% Shuffle true))
        ]

    let private quoted: P<string> =
        between (pchar '"') (pchar '"' >>. ws) (manySatisfy (fun c -> c <> '"' && c <> '\n'))
        <?> "a quoted path"

    let private dataDef: P<Statement> =
        keyword "data"
        >>. pipe3
            name
            (str "="
             >>. choice [
                 keyword "csv" >>. quoted |>> Csv
                 keyword "idx"
                 >>. pipe2 quoted (keyword "labels" >>. quoted) (fun i l -> Idx(i, l))
             ])
            (many (optional (str ",") >>. dataOption))
            (fun n source opts -> DataDef(n, source, opts))

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

    /// The words that start a network option.
    let private networkKeywords =
        set [
            "activation"
            "form"
            "data"
            "inputs"
            "targets"
            "mass"
            "init"
            "loss"
            "edges"
            "input"
            "target"
            "drive"
            "slack"
            "noslack"
        ]

    let private networkOption: P<NetworkOption> =
        choice [
            // `activation tanh`, or one per non-input layer: `activation sigmoid, tanh` (after a
            // comma only known functions continue the list, so `, form ...` still separates options).
            keyword "activation"
            >>. pipe2
                word
                (many (
                    attempt (
                        str "," >>. word
                        >>= fun w ->
                            if (Functions.tryFind w.Text).IsSome then
                                preturn w
                            else
                                fail ""
                    )
                ))
                (fun a rest -> Activation(a :: rest))
            // `form biased`, or one per non-input layer: `form biased, neuron` (a network option's
            // keyword after the comma ends the list, so `, data D` still separates options).
            keyword "form"
            >>. pipe2
                word
                (many (
                    attempt (
                        str "," >>. word
                        >>= fun w ->
                            if networkKeywords.Contains w.Text then
                                fail ""
                            else
                                preturn w
                    )
                ))
                (fun f rest -> UseForm(f :: rest))
            keyword "data" >>. name |>> Data
            keyword "inputs" >>. listOf expr |>> Inputs
            keyword "targets" >>. listOf expr |>> Targets
            keyword "mass" >>. many1 (name .>>. expr) |>> Masses
            keyword "init"
            >>. keyword "weights"
            >>. ((keyword "random"
                  >>. pipe2 expr (opt (keyword "seed" >>. integer)) (fun e s -> InitWeights(true, e, s)))
                 <|> (keyword "from" >>. pipe2 pos quoted (fun p path -> InitWeightsFrom(path, p)))
                 <|> (expr |>> fun e -> InitWeights(false, e, None)))
            keyword "loss" >>. word |>> Loss
            keyword "edges" >>. listOf edge |>> Edges
            keyword "input" >>. pipe2 name (str "=" >>. expr) (fun n e -> InputVertex(n, e))
            keyword "target"
            >>. pipe2 name (str "=" >>. expr) (fun n e -> TargetVertex(n, e))
            keyword "drive" >>. pipe2 name (str "=" >>. expr) (fun n e -> DriveVertex(n, e))
            keyword "slack" >>% Slack true
            keyword "noslack" >>% Slack false
        ]
        <?> "a network option (activation, form, data, inputs, targets, mass, init, loss, edges, input, target, drive, slack)"

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
        match runParserOnString modelFile { Open = 0; Run = 0 } "" text with
        | Success(r, _, _) -> r
        | Failure(_, err, _) -> raise (toError err)

    /// Parses a single expression (the whole text).
    let parseExpr (text: string) : SExpr =
        match runParserOnString (ws >>. expr .>> eof) { Open = 0; Run = 0 } "" text with
        | Success(r, _, _) -> r
        | Failure(_, err, _) -> raise (toError err)
