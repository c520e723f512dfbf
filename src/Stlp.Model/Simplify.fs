namespace Stlp.Model

open System
open System.Collections.Generic

/// A numeric coefficient while terms are being collected: exact until a float touches it.
type Coef =
    | Exact of Rational
    | Approx of float

    static member (+)(a, b) =
        match a, b with
        | Exact x, Exact y -> Exact(x + y)
        | _ -> Approx(Coef.ToFloat a + Coef.ToFloat b)

    static member (*)(a, b) =
        match a, b with
        | Exact x, Exact y -> Exact(x * y)
        | _ -> Approx(Coef.ToFloat a * Coef.ToFloat b)

    static member ToFloat c =
        match c with
        | Exact r -> r.ToDouble()
        | Approx x -> x

    member c.IsZero =
        match c with
        | Exact r -> r.IsZero
        | Approx x -> x = 0.0

    member c.IsOne =
        match c with
        | Exact r -> r.IsOne
        | Approx x -> x = 1.0

/// Canonical constructors. Every expression is built through these, so the canonical form
/// (flattened, sorted, constants folded, like terms and like bases collected, 0 and 1 removed)
/// holds everywhere; rebuilding a canonical expression returns the same object.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Expr =
    let num (r: Rational) = Intern.make (Num r)
    let ofInt (n: int) = num (Rational.OfInt n)

    /// A floating constant; -0.0 is stored as 0.0 so that the two intern to one node.
    let real (x: float) =
        Intern.make (Real(if x = 0.0 then 0.0 else x))

    let symbol (s: Symbol) = Intern.make (Sym s)
    let sym name kind = symbol { Name = name; Kind = kind }
    /// The `order`-th time derivative of signal `name` at the current time.
    let signal name order = Intern.make (Sig(name, order))

    let zero = ofInt 0
    let one = ofInt 1
    let minusOne = ofInt -1

    let internal coefOf (e: Expr) =
        match e.Node with
        | Num r -> Some(Exact r)
        | Real x -> Some(Approx x)
        | _ -> None

    let internal ofCoef c =
        match c with
        | Exact r -> num r
        | Approx x -> real x

    let isNumber (e: Expr) = (coefOf e).IsSome
    let isZero (e: Expr) = coefOf e |> Option.exists (fun c -> c.IsZero)
    let isOne (e: Expr) = coefOf e |> Option.exists (fun c -> c.IsOne)

    /// The value of a constant expression as a rational, if it is an exact number.
    let tryRational (e: Expr) =
        match e.Node with
        | Num r -> Some r
        | _ -> None

    let private sorted (xs: ResizeArray<Expr>) =
        let a = xs.ToArray()
        Array.sortInPlaceWith Order.compare a
        a

    /// Splits a term into numeric coefficient and the rest: 3*x*y -> (3, x*y).
    let internal splitCoefficient (e: Expr) : Coef * Expr =
        match e.Node with
        | Prod fs ->
            match coefOf fs.[0] with
            | Some c ->
                let rest = fs.[1..]
                c, (if rest.Length = 1 then rest.[0] else Intern.make (Prod rest))
            | None -> Exact Rational.One, e
        | _ ->
            match coefOf e with
            | Some c -> c, one
            | None -> Exact Rational.One, e

    /// exp(a) itself, with exp(0) = 1; products and powers of exp merge through this.
    let internal expOf (a: Expr) =
        if isZero a then one else Intern.make (Fn("exp", [| a |]))

    let rec add (terms: Expr seq) : Expr =
        let mutable constant = Exact Rational.Zero
        let coefs = Dictionary<Expr, Coef>(HashIdentity.Reference)
        let order = ResizeArray<Expr>()

        let rec push (t: Expr) =
            match t.Node with
            | Sum ts -> Array.iter push ts
            | Num _
            | Real _ -> constant <- constant + (coefOf t).Value
            | _ ->
                let c, rest = splitCoefficient t
                match coefs.TryGetValue rest with
                | true, c0 -> coefs.[rest] <- c0 + c
                | _ ->
                    coefs.[rest] <- c
                    order.Add rest

        Seq.iter push terms
        let out = ResizeArray<Expr>()

        for rest in order do
            let c = coefs.[rest]
            if not c.IsZero then
                out.Add(mul [ ofCoef c; rest ])

        if not constant.IsZero then
            out.Add(ofCoef constant)

        match out.Count with
        | 0 -> (match constant with
                | Approx _ when order.Count = 0 -> real 0.0
                | _ -> zero)
        | 1 -> out.[0]
        | _ -> Intern.make (Sum(sorted out))

    and mul (factors: Expr seq) : Expr =
        let mutable coef = Exact Rational.One
        let exponents = Dictionary<Expr, ResizeArray<Expr>>(HashIdentity.Reference)
        let order = ResizeArray<Expr>()
        let expArgs = ResizeArray<Expr>()

        let rec push (f: Expr) =
            match f.Node with
            | Prod fs -> Array.iter push fs
            | Num _
            | Real _ -> coef <- coef * (coefOf f).Value
            | Fn("exp", [| a |]) -> expArgs.Add a
            | _ ->
                let b, e =
                    match f.Node with
                    | Pow(b, e) -> b, e
                    | _ -> f, one

                match exponents.TryGetValue b with
                | true, es -> es.Add e
                | _ ->
                    exponents.[b] <- ResizeArray [ e ]
                    order.Add b

        Seq.iter push factors

        if coef.IsZero then
            zero
        else
            let out = ResizeArray<Expr>()
            let mutable needsAnotherPass = false

            let emit (f: Expr) =
                match f.Node with
                | Prod _
                | Num _
                | Real _ -> needsAnotherPass <- true
                | _ -> ()

                if not (isOne f) then
                    out.Add f

            for b in order do
                emit (pow b (add exponents.[b]))

            if expArgs.Count > 0 then
                emit (expOf (add expArgs))

            if needsAnotherPass then
                // A power of a product distributed, or a power folded to a number: collect again.
                mul (Seq.append [ ofCoef coef ] out)
            else
                let body = sorted out
                match body.Length, coef.IsOne with
                | 0, _ -> ofCoef coef
                | 1, true -> body.[0]
                | _, true -> Intern.make (Prod body)
                | _, false -> Intern.make (Prod(Array.append [| ofCoef coef |] body))

    and pow (b: Expr) (e: Expr) : Expr =
        let integerExponent =
            match e.Node with
            | Num r when r.IsInteger && abs r.Numerator <= Numerics.BigInteger 4096 -> Some(int r.Numerator)
            | _ -> None

        match b.Node, e.Node with
        | _ when isZero e -> one
        | _ when isOne e -> b
        | Num r, _ when r.IsOne -> one
        | Num r, Num p when r.IsZero && p.Sign > 0 -> zero
        | Num r, Num _ when integerExponent.IsSome && not (r.IsZero && integerExponent.Value < 0) ->
            num (Rational.Pow(r, integerExponent.Value))
        | (Num _ | Real _), (Num _ | Real _) when not (b.Node.IsNum && e.Node.IsNum) ->
            real (Math.Pow(Coef.ToFloat (coefOf b).Value, Coef.ToFloat (coefOf e).Value))
        | Pow(b0, e0), _ when integerExponent.IsSome -> pow b0 (mul [ e0; e ])
        | Prod fs, _ when integerExponent.IsSome -> mul (fs |> Array.map (fun f -> pow f e))
        | Fn("exp", [| a |]), (Num _ | Real _) -> expOf (mul [ a; e ])
        | _ -> Intern.make (Pow(b, e))

    let add2 a b = add [ a; b ]
    let mul2 a b = mul [ a; b ]
    let neg a = mul [ minusOne; a ]
    let sub a b = add [ a; neg b ]
    let div a b = mul [ a; pow b minusOne ]
    let powi b (n: int) = pow b (ofInt n)
    let sqr a = powi a 2
