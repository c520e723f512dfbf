namespace Stlp.Model

open System
open System.Numerics

/// An exact rational number p/q with arbitrary-precision integers, always in lowest terms with q > 0.
[<CustomEquality; CustomComparison>]
type Rational = private {
    Num: BigInteger
    Den: BigInteger
} with

    member r.Numerator = r.Num
    member r.Denominator = r.Den
    member r.IsZero = r.Num.IsZero
    member r.IsOne = r.Num.IsOne && r.Den.IsOne
    member r.IsInteger = r.Den.IsOne
    member r.Sign = r.Num.Sign

    static member Create(num: BigInteger, den: BigInteger) =
        if den.IsZero then
            raise (DivideByZeroException "rational with zero denominator")

        let g = BigInteger.GreatestCommonDivisor(num, den)
        let g = if den.Sign < 0 then -g else g
        { Num = num / g; Den = den / g }

    static member OfInt(n: int) = {
        Num = BigInteger n
        Den = BigInteger.One
    }

    static member OfBigInt(n: BigInteger) = { Num = n; Den = BigInteger.One }
    static member Zero = Rational.OfInt 0
    static member One = Rational.OfInt 1

    static member (+)(a: Rational, b: Rational) =
        Rational.Create(a.Num * b.Den + b.Num * a.Den, a.Den * b.Den)

    static member (-)(a: Rational, b: Rational) =
        Rational.Create(a.Num * b.Den - b.Num * a.Den, a.Den * b.Den)

    static member (*)(a: Rational, b: Rational) =
        Rational.Create(a.Num * b.Num, a.Den * b.Den)

    static member (/)(a: Rational, b: Rational) =
        Rational.Create(a.Num * b.Den, a.Den * b.Num)

    static member (~-)(a: Rational) = { Num = -a.Num; Den = a.Den }

    /// Integer power; a negative exponent inverts.
    static member Pow(a: Rational, n: int) =
        if n >= 0 then
            {
                Num = BigInteger.Pow(a.Num, n)
                Den = BigInteger.Pow(a.Den, n)
            }
        else
            Rational.Create(BigInteger.Pow(a.Den, -n), BigInteger.Pow(a.Num, -n))

    member r.ToDouble() =
        // Scale so that huge numerators and denominators still divide accurately.
        if BigInteger.Abs r.Num < BigInteger(1L <<< 52) && r.Den < BigInteger(1L <<< 52) then
            float r.Num / float r.Den
        else
            Math.Exp(BigInteger.Log(BigInteger.Abs r.Num) - BigInteger.Log r.Den)
            * float r.Num.Sign

    /// Parses a decimal literal such as "12", "0.25" or "1e-3" exactly.
    static member ParseDecimal(text: string) =
        let text = text.Trim()

        let mantissa, exponent =
            match text.IndexOfAny [| 'e'; 'E' |] with
            | -1 -> text, 0
            | i -> text.Substring(0, i), int (text.Substring(i + 1))

        let intPart, fracPart =
            match mantissa.IndexOf '.' with
            | -1 -> mantissa, ""
            | i -> mantissa.Substring(0, i), mantissa.Substring(i + 1)

        let digits = BigInteger.Parse((if intPart = "" then "0" else intPart) + fracPart)
        let scale = exponent - fracPart.Length

        if scale >= 0 then
            Rational.OfBigInt(digits * BigInteger.Pow(BigInteger 10, scale))
        else
            Rational.Create(digits, BigInteger.Pow(BigInteger 10, -scale))

    override r.ToString() =
        if r.Den.IsOne then r.Num.ToString() else $"{r.Num}/{r.Den}"

    override r.Equals(o) =
        match o with
        | :? Rational as b -> r.Num = b.Num && r.Den = b.Den
        | _ -> false

    override r.GetHashCode() = HashCode.Combine(r.Num, r.Den)

    interface IComparable with
        member r.CompareTo(o) =
            match o with
            | :? Rational as b -> BigInteger.Compare(r.Num * b.Den, b.Num * r.Den)
            | _ -> invalidArg "o" "not a Rational"
