namespace Stlp.Model

open System
open System.Globalization
open System.Text

/// Printing as infix text (which the model language parses back to the same expression) and as
/// LaTeX.
module Print =
    let private inv = CultureInfo.InvariantCulture

    /// Round-trip text of a float that always reads back as a float (has '.' or an exponent).
    let realText (x: float) =
        if Double.IsNaN x then
            "nan"
        elif Double.IsPositiveInfinity x then
            "inf"
        elif Double.IsNegativeInfinity x then
            "-inf"
        else
            let s = x.ToString("R", inv)

            if s.Contains '.' || s.Contains 'E' then
                s.Replace("E+", "E")
            else
                s + ".0"

    /// A term's sign for printing: a negative coefficient is printed as subtraction.
    let private isNegative (e: Expr) =
        let c, _ = Expr.splitCoefficient e
        Coef.ToFloat c < 0.0

    /// -e without going through `Expr.mul`: a product longer than `Expr.maxFlatten` is not
    /// flattened by it, so -(-e) would come back as a new product and printing would not end.
    let private negated (e: Expr) =
        match e.Node with
        | Prod fs when Expr.isNumber fs.[0] ->
            let c = (Expr.coefOf fs.[0]).Value * Exact(Rational.OfInt -1)

            if c.IsOne then
                if fs.Length = 2 then
                    fs.[1]
                else
                    Intern.make (Prod fs.[1..])
            else
                Intern.make (Prod(Array.append [| Expr.ofCoef c |] fs.[1..]))
        | _ -> Expr.neg e

    /// Terms in print order: positive before negative, within each symbolic before constant
    /// (`1 - tanh(a)^2`, `x - 3`), otherwise canonical.
    let private printOrder (ts: Expr[]) =
        let group (t: Expr) =
            (if isNegative t then 2 else 0) + (if Expr.isNumber t then 1 else 0)

        ts |> Array.indexed |> Array.sortBy (fun (i, t) -> group t, i) |> Array.map snd

    /// A sum in print order, negative terms written as subtraction; `render level e` prints a
    /// term parenthesized below `level` (shared by text and LaTeX).
    let private joinSum (render: int -> Expr -> string) (ts: Expr[]) =
        let sb = StringBuilder()

        printOrder ts
        |> Array.iteri (fun i t ->
            if i = 0 then
                sb.Append(render 1 t) |> ignore
            elif isNegative t then
                sb.Append(" - ").Append(render 2 (negated t)) |> ignore
            else
                sb.Append(" + ").Append(render 2 t) |> ignore)

        sb.ToString()

    /// Splits a product into coefficient, numerator factors and denominator factors (positive powers).
    let private fraction (e: Expr) =
        let c, rest = Expr.splitCoefficient e

        let factors =
            match rest.Node with
            | Prod fs -> fs
            | _ when Expr.isOne rest -> [||]
            | _ -> [| rest |]
        // A number to a negative power (0^-2) stays a power: as a fraction it would fold.
        let isDen (f: Expr) =
            match f.Node with
            | Pow(b, p) ->
                not (Expr.isNumber b)
                && Expr.isNumber p
                && Coef.ToFloat (Expr.coefOf p).Value < 0.0
            | _ -> false

        let nums = factors |> Array.filter (not << isDen)

        let dens =
            factors
            |> Array.filter isDen
            |> Array.map (fun f ->
                match f.Node with
                | Pow(b, p) -> Expr.pow b (Expr.neg p)
                | _ -> f)

        c, nums, dens

    // Precedence levels: 1 sum, 2 product, 3 unary minus, 4 power, 5 atom.
    let rec private textP (e: Expr) : string * int =
        match e.Node with
        | Num r when r.IsInteger -> (if r.Sign < 0 then r.ToString(), 3 else r.ToString(), 5)
        | Num r -> r.ToString(), 2
        | Real x -> (realText x, if x < 0.0 || realText x = "-inf" then 3 else 5)
        | Sym s -> string s, 5
        | Sig(name, k) -> name + String.replicate k "'" + "(t)", 5
        | Fn(f, args) -> $"""{f}({String.Join(", ", args |> Array.map text)})""", 5
        | Sum ts -> joinSum wrap ts, 1
        | Prod _ when isNegative e -> "-" + wrap 2 (negated e), 3
        | Prod _ ->
            let c, nums, dens = fraction e

            let cText, cDen =
                match c with
                | Exact r when not r.IsInteger ->
                    (if r.Numerator.IsOne then
                         None
                     else
                         Some(r.Numerator.ToString())),
                    Some(r.Denominator.ToString())
                | c when c.IsOne -> None, None
                | c -> Some(wrap 3 (Expr.ofCoef c)), None

            let numParts =
                Array.append
                    (Option.toArray cText)
                    (nums |> Array.map (fun f -> if f.Node.IsProd then $"({text f})" else wrap 2 f))

            let numText =
                if numParts.Length = 0 then
                    "1"
                else
                    String.Join("*", numParts)

            let denParts = Array.append (Option.toArray cDen) (dens |> Array.map (wrap 3))

            match denParts.Length with
            | 0 -> numText, 2
            | 1 when dens.Length = 0 || cDen.IsNone -> $"{numText}/{denParts.[0]}", 2
            | _ -> $"""{numText}/({String.Join("*", denParts)})""", 2
        | Pow(b, p) ->
            let c = Expr.coefOf p

            match c with
            | Some c when Coef.ToFloat c < 0.0 && not (Expr.isNumber b) -> $"1/{wrap 3 (Expr.pow b (Expr.neg p))}", 2
            | _ -> $"{wrap 5 b}^{wrap 5 p}", 4

    and private wrap (level: int) (e: Expr) =
        let s, p = textP e
        if p < level then $"({s})" else s

    /// Infix text; parses back to the same expression.
    and text (e: Expr) : string = fst (textP e)

    let private greek =
        set [
            "alpha"
            "beta"
            "gamma"
            "delta"
            "epsilon"
            "zeta"
            "eta"
            "theta"
            "iota"
            "kappa"
            "lambda"
            "mu"
            "nu"
            "xi"
            "pi"
            "rho"
            "sigma"
            "tau"
            "upsilon"
            "phi"
            "chi"
            "psi"
            "omega"
            "varpi"
            "Gamma"
            "Delta"
            "Theta"
            "Lambda"
            "Xi"
            "Pi"
            "Sigma"
            "Phi"
            "Psi"
            "Omega"
        ]

    /// A user name in LaTeX: Greek names become letters, trailing digits or `_part` a subscript,
    /// anything else is escaped.
    let latexName (name: string) =
        let escape (s: string) =
            s
                .Replace("\\", "\\textbackslash{}")
                .Replace("_", "\\_")
                .Replace("{", "\\{")
                .Replace("}", "\\}")
                .Replace("$", "\\$")
                .Replace("#", "\\#")
                .Replace("%", "\\%")
                .Replace("&", "\\&")

        let body (s: string) =
            if greek.Contains s then "\\" + s
            elif s.Length = 1 then escape s
            else $"\\mathrm{{{escape s}}}"

        let i = name.IndexOf '_'

        if i > 0 && i < name.Length - 1 then
            $"{body (name.Substring(0, i))}_{{{escape (name.Substring(i + 1))}}}"
        else
            let stem = name.TrimEnd([| '0' .. '9' |])

            if stem.Length > 0 && stem.Length < name.Length then
                $"{body stem}_{{{name.Substring stem.Length}}}"
            else
                body name

    let private dots k (s: string) =
        match k with
        | 0 -> s
        | 1 -> $"\\dot{{{s}}}"
        | 2 -> $"\\ddot{{{s}}}"
        | _ -> $"{s}^{{({k})}}"

    let private latexSymbol (s: Symbol) =
        if s.Kind = Multiplier && s.Name.StartsWith "lambda_" then
            $"\\tilde{{\\lambda}}_{{{latexName (s.Name.Substring 7)}}}"
        else
            let n = latexName s.Name
            // Put the dot over the stem, not over the subscript.
            let stem, sub =
                match n.IndexOf "_{" with
                | -1 -> n, ""
                | i -> n.Substring(0, i), n.Substring i

            let k =
                match s.Kind with
                | Velocity -> 1
                | Acceleration -> 2
                | _ -> 0

            dots k stem + sub

    let rec private latexP (e: Expr) : string * int =
        match e.Node with
        | Num r when r.IsInteger -> (r.ToString(), if r.Sign < 0 then 3 else 5)
        | Num r ->
            let s = if r.Sign < 0 then "-" else ""
            $"{s}\\frac{{{abs r.Numerator}}}{{{r.Denominator}}}", (if r.Sign < 0 then 3 else 5)
        | Real x ->
            (let t = realText x

             if t.Contains 'E' then
                 let parts = t.Split 'E'
                 $"{parts.[0]} \\cdot 10^{{{parts.[1]}}}", 2
             else
                 t, (if x < 0.0 then 3 else 5))
        | Sym s -> latexSymbol s, 5
        | Sig(name, k) ->
            let n = latexName name

            let stem, sub =
                match n.IndexOf "_{" with
                | -1 -> n, ""
                | i -> n.Substring(0, i), n.Substring i

            $"{dots k stem}{sub}(t)", 5
        | Fn("exp", [| a |]) -> $"e^{{{latex a}}}", 4
        | Fn("sqrt", [| a |]) -> $"\\sqrt{{{latex a}}}", 5
        | Fn("abs", [| a |]) -> $"\\left|{latex a}\\right|", 5
        | Fn(f, args) ->
            let op = (Functions.find f).Latex
            $"""{op}\left({String.Join(", ", args |> Array.map latex)}\right)""", 5
        | Sum ts -> joinSum lwrap ts, 1
        | Prod _ when isNegative e -> "-" + lwrap 2 (negated e), 3
        | Prod _ ->
            let c, nums, dens = fraction e

            let join (xs: Expr[]) =
                let parts =
                    xs |> Array.map (fun f -> if f.Node.IsProd then lwrap 3 f else lwrap 2 f)

                String.Join(" ", parts)

            let cNum, cDen =
                match c with
                | Exact r when not r.IsInteger -> r.Numerator, Some r.Denominator
                | Exact r -> r.Numerator, None
                | Approx _ -> Numerics.BigInteger.One, None

            let coefText =
                match c with
                | Approx x -> Some(fst (latexP (Expr.real x)))
                | _ when cNum.IsOne -> None
                | _ -> Some(cNum.ToString())

            let numText =
                let body = join nums

                match coefText with
                | Some t when body = "" -> t
                | Some t -> t + " \\, " + body
                | None -> if body = "" then "1" else body

            let denText =
                let body = join dens

                match cDen with
                | Some d when body = "" -> d.ToString()
                | Some d -> d.ToString() + " \\, " + body
                | None -> body

            if denText = "" then
                numText, 2
            else
                $"\\frac{{{numText}}}{{{denText}}}", 5
        | Pow(b, p) ->
            match Expr.coefOf p with
            | Some c when Coef.ToFloat c < 0.0 && not (Expr.isNumber b) ->
                $"\\frac{{1}}{{{latex (Expr.pow b (Expr.neg p))}}}", 5
            | _ ->
                match b.Node with
                | Fn(f, [| a |]) when f <> "exp" && f <> "sqrt" && f <> "abs" ->
                    $"{(Functions.find f).Latex}^{{{latex p}}}\\left({latex a}\\right)", 4
                | _ -> $"{lwrap 5 b}^{{{latex p}}}", 4

    and private lwrap level e =
        let s, p = latexP e
        if p < level then $"\\left({s}\\right)" else s

    /// A LaTeX math-mode fragment.
    and latex (e: Expr) : string = fst (latexP e)
