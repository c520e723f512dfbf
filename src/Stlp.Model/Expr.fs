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

/// A named scalar. Two symbols are the same when name and kind are.
type Symbol =
    { Name: string
      Kind: SymbolKind }

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
                a.Length = b.Length && Array.forall2 (fun (x: Expr) y -> Object.ReferenceEquals(x, y)) a b

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
        let str (s: string) = s |> Seq.fold (fun h c -> mix h (uint64 c)) 14695981039346656037UL
        let many tag (xs: Expr[]) = xs |> Array.fold (fun h (x: Expr) -> mix h x.Hash) tag

        match n with
        | Num r -> mix 1UL (str (r.ToString()))
        | Real x -> mix 2UL (uint64 (BitConverter.DoubleToInt64Bits x))
        | Sym s -> mix (mix 3UL (str s.Name)) (uint64 (int (match s.Kind with
                                                               | Time -> 0
                                                               | Coordinate -> 1
                                                               | Velocity -> 2
                                                               | Acceleration -> 3
                                                               | Parameter -> 4)))
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
            member _.Compare(a, b) = compare (nonNull a) (nonNull b) }
