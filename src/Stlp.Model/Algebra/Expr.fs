namespace Stlp.Model

open System
open System.Collections.Generic

/// What a symbol stands for. Coordinates, their velocities and accelerations share a name.
type SymbolKind =
    | Time
    | Coordinate
    | Velocity
    | Acceleration
    | Parameter
    /// A normalized Lagrange multiplier lambda~ = lambda / varpi, named after its constraint.
    | Multiplier

/// A named scalar. Two symbols are the same when name and kind are.
type Symbol = {
    Name: string
    Kind: SymbolKind
} with

    override s.ToString() =
        match s.Kind with
        | Velocity -> s.Name + "'"
        | Acceleration -> s.Name + "''"
        | _ -> s.Name

/// One node of the expression DAG. Children are interned `Expr`s, compared by reference.
[<CustomEquality; NoComparison>]
type Node =
    /// An exact rational constant.
    | Num of Rational
    /// A floating constant (the user wrote a decimal point or an exponent).
    | Real of float
    | Sym of Symbol
    /// The `order`-th time derivative of the signal `name`, evaluated at the current time.
    | Sig of name: string * order: int
    /// n-ary sum, flattened and sorted, at most one constant (first).
    | Sum of Expr[]
    /// n-ary product, flattened and sorted, at most one constant coefficient (first).
    | Prod of Expr[]
    | Pow of Expr * Expr
    /// A primitive function from the table in `Functions`.
    | Fn of name: string * Expr[]

    override n.Equals(o) =
        match o with
        | :? Node as m ->
            let same (a: Expr[]) (b: Expr[]) =
                a.Length = b.Length
                && Array.forall2 (fun (x: Expr) y -> Object.ReferenceEquals(x, y)) a b

            match n, m with
            | Num a, Num b -> a = b
            | Real a, Real b -> BitConverter.DoubleToInt64Bits a = BitConverter.DoubleToInt64Bits b
            | Sym a, Sym b -> a = b
            | Sig(a, i), Sig(b, j) -> a = b && i = j
            | Sum a, Sum b -> same a b
            | Prod a, Prod b -> same a b
            | Pow(a, b), Pow(c, d) -> Object.ReferenceEquals(a, c) && Object.ReferenceEquals(b, d)
            | Fn(f, a), Fn(g, b) -> f = g && same a b
            | _ -> false
        | _ -> false

    override n.GetHashCode() = int (Node.StructuralHash n)

    /// A hash of the structure that does not depend on process or creation order (unlike
    /// String.GetHashCode), so that canonical orderings and generated code are reproducible.
    static member StructuralHash(n: Node) : uint64 =
        let mix (h: uint64) (v: uint64) = (h ^^^ v) * 1099511628211UL

        let str (s: string) =
            let mutable h = 14695981039346656037UL

            for c in s do
                h <- mix h (uint64 c)

            h

        let many tag (xs: Expr[]) =
            xs |> Array.fold (fun h (x: Expr) -> mix h x.Hash) tag

        match n with
        | Num r when
            r.IsInteger
            && r.Numerator >= Numerics.BigInteger Int64.MinValue
            && r.Numerator <= Numerics.BigInteger Int64.MaxValue
            ->
            // The same value as hashing r.ToString(), without formatting a big integer.
            mix 1UL (str ((int64 r.Numerator).ToString(Globalization.CultureInfo.InvariantCulture)))
        | Num r -> mix 1UL (str (r.ToString()))
        | Real x -> mix 2UL (uint64 (BitConverter.DoubleToInt64Bits x))
        | Sym s ->
            mix
                (mix 3UL (str s.Name))
                (uint64 (
                    int (
                        match s.Kind with
                        | Time -> 0
                        | Coordinate -> 1
                        | Velocity -> 2
                        | Acceleration -> 3
                        | Parameter -> 4
                        | Multiplier -> 5
                    )
                ))
        | Sig(name, k) -> mix (mix 4UL (str name)) (uint64 k)
        | Sum xs -> many 5UL xs
        | Prod xs -> many 6UL xs
        | Pow(a, b) -> mix (mix 7UL a.Hash) b.Hash
        | Fn(f, xs) -> many (mix 8UL (str f)) xs

/// An interned expression: structurally equal expressions are the same object, so equality and
/// hashing are O(1) and derivatives share structure.
and [<Sealed; AllowNullLiteral(false)>] Expr internal (node: Node, id: int, hash: uint64) =
    member _.Node = node
    /// Creation number; unique per process, used as a memo key.
    member _.Id = id
    /// Process-independent structural hash.
    member _.Hash = hash
    override _.GetHashCode() = id
    override this.Equals(o) = Object.ReferenceEquals(this, o)

/// The intern table. Every `Expr` is made here, so reference equality is structural equality.
module Intern =
    let private table = Dictionary<Node, Expr>()
    let private gate = obj ()
    let mutable private nextId = 0

    let make (node: Node) : Expr =
        lock gate (fun () ->
            match table.TryGetValue node with
            | true, e -> e
            | _ ->
                let e = Expr(node, nextId, Node.StructuralHash node)
                nextId <- nextId + 1
                table.[node] <- e
                e)

    /// Number of distinct nodes created so far in this process.
    let count () = lock gate (fun () -> table.Count)

/// Canonical ordering of operands: constants, then symbols and signals by name, then compound
/// expressions by structural hash. Deterministic across processes.
module Order =
    let private rank (e: Expr) =
        match e.Node with
        | Num _ -> 0
        | Real _ -> 1
        | Sym _ -> 2
        | Sig _ -> 3
        | Pow _ -> 4
        | Fn _ -> 5
        | Prod _ -> 6
        | Sum _ -> 7

    let rec compare (a: Expr) (b: Expr) : int =
        if Object.ReferenceEquals(a, b) then
            0
        else
            let ra, rb = rank a, rank b

            if ra <> rb then
                Operators.compare ra rb
            else
                match a.Node, b.Node with
                | Num x, Num y -> Operators.compare x y
                | Real x, Real y -> Operators.compare x y
                | Sym x, Sym y ->
                    let c = String.CompareOrdinal(x.Name, y.Name)
                    if c <> 0 then c else Operators.compare x.Kind y.Kind
                | Sig(x, i), Sig(y, j) ->
                    let c = String.CompareOrdinal(x, y)
                    if c <> 0 then c else Operators.compare i j
                | Pow(x, p), Pow(y, q) ->
                    let c = compare x y
                    if c <> 0 then c else compare p q
                | _ ->
                    let c = Operators.compare a.Hash b.Hash
                    if c <> 0 then c else structural a b

    /// Tie-break for a structural-hash collision between different expressions (rare).
    and private structural (a: Expr) (b: Expr) =
        let children (e: Expr) =
            match e.Node with
            | Sum xs
            | Prod xs -> "", xs
            | Fn(f, xs) -> f, xs
            | Pow(x, y) -> "", [| x; y |]
            | _ -> "", [||]

        let fa, xa = children a
        let fb, xb = children b
        let c = String.CompareOrdinal(fa, fb)

        if c <> 0 then
            c
        elif xa.Length <> xb.Length then
            Operators.compare xa.Length xb.Length
        else
            Seq.zip xa xb
            |> Seq.map (fun (x, y) -> compare x y)
            |> Seq.tryFind (fun c -> c <> 0)
            |> Option.defaultValue 0

    let comparer =
        { new IComparer<Expr> with
            member _.Compare(a, b) = compare (nonNull a) (nonNull b)
        }

/// A numeric coefficient while terms are being collected: exact until a float touches it.
type Coef =
    | Exact of Rational
    | Approx of float

    /// Exact numbers with more bits than this (numerator and denominator together) become
    /// floats: far beyond any double, and big-integer arithmetic on them would run away.
    static member MaxExactBits = 65536L

    static member Bits(r: Rational) =
        r.Numerator.GetBitLength() + r.Denominator.GetBitLength()

    static member private Capped(r: Rational) =
        if Coef.Bits r > Coef.MaxExactBits then
            Approx(r.ToDouble())
        else
            Exact r

    static member (+)(a, b) =
        match a, b with
        | Exact x, Exact y -> Coef.Capped(x + y)
        | _ -> Approx(Coef.ToFloat a + Coef.ToFloat b)

    static member (*)(a, b) =
        match a, b with
        | Exact x, Exact y -> Coef.Capped(x * y)
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

    let isZero (e: Expr) =
        coefOf e |> Option.exists (fun c -> c.IsZero)

    let isOne (e: Expr) =
        coefOf e |> Option.exists (fun c -> c.IsOne)

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

                c,
                (if rest.Length = 1 then
                     rest.[0]
                 else
                     Intern.make (Prod rest))
            | None -> Exact Rational.One, e
        | _ ->
            match coefOf e with
            | Some c -> c, one
            | None -> Exact Rational.One, e

    /// exp(a) itself, with exp(0) = 1; products and powers of exp merge through this.
    let internal expOf (a: Expr) =
        if isZero a then one else Intern.make (Fn("exp", [| a |]))

    /// A product with more factors than this is kept as one factor when multiplied further,
    /// instead of being copied into the new product. Chain-rule products (d/dx of a deep
    /// composition) then cost O(1) per level instead of O(depth), so derivation is linear.
    let maxFlatten = 16

    /// A factor that `mul` keeps as it is: not a number, a power, an exp or a short product.
    let private keptAsIs (f: Expr) =
        match f.Node with
        | Sym _
        | Sig _
        | Sum _ -> true
        | Fn(name, _) -> name <> "exp"
        | Prod fs -> fs.Length > maxFlatten
        | _ -> false

    /// c * f for a number c and a factor kept as it is: what `mul` makes of it, without its tables.
    let private scaled (c: Expr) (f: Expr) =
        if isZero c then zero
        elif isOne c then f
        else Intern.make (Prod [| c; f |])

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
        | 0 ->
            (match constant with
             | Approx _ when order.Count = 0 -> real 0.0
             | _ -> zero)
        | 1 -> out.[0]
        | _ -> Intern.make (Sum(sorted out))

    and mul (factors: Expr seq) : Expr =
        // The common case c * f (scaling a term) directly: sums of many terms make it per term.
        match factors with
        | :? (Expr list) as l ->
            match l with
            | [ a; b ] when isNumber a && keptAsIs b -> scaled a b
            | [ a; b ] when isNumber b && keptAsIs a -> scaled b a
            | _ -> mulGeneral factors
        | _ -> mulGeneral factors

    and private mulGeneral (factors: Expr seq) : Expr =
        let mutable coef = Exact Rational.One
        let exponents = Dictionary<Expr, ResizeArray<Expr>>(HashIdentity.Reference)
        let order = ResizeArray<Expr>()
        let expArgs = ResizeArray<Expr>()

        let rec push (f: Expr) =
            match f.Node with
            | Prod fs when fs.Length <= maxFlatten -> Array.iter push fs
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
                | Prod fs when fs.Length <= maxFlatten -> needsAnotherPass <- true
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
        | Num r, Num _ when
            integerExponent.IsSome
            && not (r.IsZero && integerExponent.Value < 0)
            && Coef.Bits r * int64 (abs integerExponent.Value) > Coef.MaxExactBits
            ->
            // An exact power too large to compute exactly: a float (infinite or zero when out of range).
            real (Math.Pow(r.ToDouble(), float integerExponent.Value))
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

/// Operators, so that models can be written as formulas in F# and in C#: `2 * x - w * e`.
/// Integers stay exact; doubles are floating constants.
type Expr with
    static member (+)(a: Expr, b: Expr) = Expr.add2 a b
    static member (+)(a: Expr, b: float) = Expr.add2 a (Expr.real b)
    static member (+)(a: float, b: Expr) = Expr.add2 (Expr.real a) b
    static member (+)(a: Expr, b: int) = Expr.add2 a (Expr.ofInt b)
    static member (+)(a: int, b: Expr) = Expr.add2 (Expr.ofInt a) b
    static member (-)(a: Expr, b: Expr) = Expr.sub a b
    static member (-)(a: Expr, b: float) = Expr.sub a (Expr.real b)
    static member (-)(a: float, b: Expr) = Expr.sub (Expr.real a) b
    static member (-)(a: Expr, b: int) = Expr.sub a (Expr.ofInt b)
    static member (-)(a: int, b: Expr) = Expr.sub (Expr.ofInt a) b
    static member (*)(a: Expr, b: Expr) = Expr.mul2 a b
    static member (*)(a: Expr, b: float) = Expr.mul2 a (Expr.real b)
    static member (*)(a: float, b: Expr) = Expr.mul2 (Expr.real a) b
    static member (*)(a: Expr, b: int) = Expr.mul2 a (Expr.ofInt b)
    static member (*)(a: int, b: Expr) = Expr.mul2 (Expr.ofInt a) b
    static member (/)(a: Expr, b: Expr) = Expr.div a b
    static member (/)(a: Expr, b: float) = Expr.div a (Expr.real b)
    static member (/)(a: float, b: Expr) = Expr.div (Expr.real a) b
    static member (/)(a: Expr, b: int) = Expr.div a (Expr.ofInt b)
    static member (/)(a: int, b: Expr) = Expr.div (Expr.ofInt a) b
    static member (~-)(a: Expr) = Expr.neg a
    /// `a ** b` in F#; `Expr.Pow(a, b)` in C#.
    static member Pow(a: Expr, b: Expr) = Expr.pow a b
    static member Pow(a: Expr, b: int) = Expr.powi a b
    static member Pow(a: Expr, b: float) = Expr.pow a (Expr.real b)
    static member op_Implicit(x: float) : Expr = Expr.real x
    static member op_Implicit(n: int) : Expr = Expr.ofInt n
