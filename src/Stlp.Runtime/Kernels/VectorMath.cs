using System.Numerics;
using System.Runtime.CompilerServices;

namespace Stlp.Runtime.Kernels;

/// <summary>
/// Transcendental functions on <see cref="Vector{T}"/> lanes, for generated code that evaluates
/// several rows at once. .NET's own vector tanh for doubles (TensorPrimitives.Tanh) calls the
/// scalar Math.Tanh lane by lane, which is most of a small network's per-neuron cost.
/// Within 3 ulp of Math.Tanh (tested; the 3 just above 0.55, where 1 - v keeps the rounding of
/// v = 2/(e^(2x) + 1)); NaN stays NaN, +-infinity gives +-1.
/// </summary>
public static class VectorMath
{
    /// <summary>
    /// tanh on each lane: for |x| &lt; 0.55 the odd Taylor series x + x^3 Q(x^2) (20 terms:
    /// the first left out is below 1e-18 relative there; Q by Estrin's scheme, whose dependent
    /// chain is five multiply-adds deep rather than Horner's twenty); else 1 - 2/(e^(2|x|) + 1) with the
    /// sign of x, where 1 - v loses no accuracy (v &lt;= 1/2) and 2|x| is capped at 40
    /// (tanh rounds to 1 from 19.1 on).
    /// </summary>
    public static Vector<double> Tanh(Vector<double> x)
    {
        var u = x * x;
        var q0_0 = Line(-0.3333333333333333, 0.13333333333333333, u);
        var q0_1 = Line(-0.05396825396825397, 0.021869488536155203, u);
        var q0_2 = Line(-0.008863235529902197, 0.003592128036572481, u);
        var q0_3 = Line(-0.0014558343870513183, 0.000590027440945586, u);
        var q0_4 = Line(-0.00023912911424355248, 9.691537956929451e-05, u);
        var q0_5 = Line(-3.927832388331683e-05, 1.5918905069328964e-05, u);
        var q0_6 = Line(-6.451689215655431e-06, 2.6147711512907546e-06, u);
        var q0_7 = Line(-1.0597268320104654e-06, 4.294911078273806e-07, u);
        var q0_8 = Line(-1.7406618963571648e-07, 7.054636946400968e-08, u);
        var q0_9 = Line(-2.859136662305254e-08, 1.1587644432798853e-08, u);
        var u2 = u * u;
        var q1_0 = Vector.MultiplyAddEstimate(q0_1, u2, q0_0);
        var q1_1 = Vector.MultiplyAddEstimate(q0_3, u2, q0_2);
        var q1_2 = Vector.MultiplyAddEstimate(q0_5, u2, q0_4);
        var q1_3 = Vector.MultiplyAddEstimate(q0_7, u2, q0_6);
        var q1_4 = Vector.MultiplyAddEstimate(q0_9, u2, q0_8);
        var u4 = u2 * u2;
        var q2_0 = Vector.MultiplyAddEstimate(q1_1, u4, q1_0);
        var q2_1 = Vector.MultiplyAddEstimate(q1_3, u4, q1_2);
        var u8 = u4 * u4;
        var q3_0 = Vector.MultiplyAddEstimate(q2_1, u8, q2_0);
        var u16 = u8 * u8;
        var q4_0 = Vector.MultiplyAddEstimate(q1_4, u16, q3_0);
        var q = q4_0;
        // x + x^3 Q has the sign of x; the sign bit keeps tanh(-0) = -0.
        var signBit = Vector.AsVectorInt64(new Vector<double>(-0.0));
        var small = Vector.AsVectorDouble(Vector.AsVectorInt64(x + x * u * q) | (Vector.AsVectorInt64(x) & signBit));
        var magnitude = Vector.Abs(x);
        var e = ExpOfReduced(Vector.Min(magnitude + magnitude, new Vector<double>(40.0)));
        var large = Vector<double>.One - new Vector<double>(2.0) / (e + Vector<double>.One);
        var signed = Vector.AsVectorDouble(Vector.AsVectorInt64(large) | (Vector.AsVectorInt64(x) & signBit));
        var result = Vector.ConditionalSelect(Vector.LessThan(magnitude, new Vector<double>(0.55)), small, signed);
        // NaN lanes compare unequal to themselves and keep x.
        return Vector.ConditionalSelect(Vector.Equals(x, x), result, x);
    }

    /// <summary>
    /// e^y for 0 &lt;= y &lt;= 40: y = k ln 2 + r with |r| &lt;= ln2/2 (ln 2 in two parts, so k ln2
    /// is exact), e^r by its Taylor polynomial of degree 13 (the rest below 5e-18), times 2^k
    /// written into the exponent bits.
    /// </summary>
    private static Vector<double> ExpOfReduced(Vector<double> y)
    {
        // Adding 1.5 * 2^52 rounds y / ln 2 to an integer k held in the low bits (no float-to-int
        // conversion, which AVX2 lacks for doubles and .NET then does lane by lane).
        var shifter = new Vector<double>(6755399441055744.0);
        var shifted = y * new Vector<double>(1.4426950408889634) + shifter;
        var k = shifted - shifter;
        var r =
            y - k * new Vector<double>(6.93147180369123816490e-01) - k * new Vector<double>(1.90821492927058770002e-10);
        var p0_0 = Line(1.0, 1.0, r);
        var p0_1 = Line(0.5, 0.16666666666666666, r);
        var p0_2 = Line(0.041666666666666664, 0.008333333333333333, r);
        var p0_3 = Line(0.001388888888888889, 0.0001984126984126984, r);
        var p0_4 = Line(2.48015873015873e-05, 2.7557319223985893e-06, r);
        var p0_5 = Line(2.755731922398589e-07, 2.505210838544172e-08, r);
        var p0_6 = Line(2.08767569878681e-09, 1.6059043836821613e-10, r);
        var r2 = r * r;
        var p1_0 = Vector.MultiplyAddEstimate(p0_1, r2, p0_0);
        var p1_1 = Vector.MultiplyAddEstimate(p0_3, r2, p0_2);
        var p1_2 = Vector.MultiplyAddEstimate(p0_5, r2, p0_4);
        var r4 = r2 * r2;
        var p2_0 = Vector.MultiplyAddEstimate(p1_1, r4, p1_0);
        var p2_1 = Vector.MultiplyAddEstimate(p0_6, r4, p1_2);
        var r8 = r4 * r4;
        var p3_0 = Vector.MultiplyAddEstimate(p2_1, r8, p2_0);
        var p = p3_0;
        var exponent = Vector.AsVectorInt64(shifted) - Vector.AsVectorInt64(shifter) + new Vector<long>(1023);
        var scale = Vector.AsVectorDouble(Vector.ShiftLeft(exponent, 52));
        return p * scale;
    }

    /// <summary>a + b x on each lane (one fused multiply-add where the hardware has it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> Line(double a, double b, Vector<double> x) =>
        Vector.MultiplyAddEstimate(new Vector<double>(b), x, new Vector<double>(a));
}
