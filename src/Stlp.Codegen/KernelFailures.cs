using System.Text.RegularExpressions;
using Stlp.Ir;
using Stlp.Runtime.Kernels;

namespace Stlp.Codegen;

/// <summary>
/// Puts names on a kernel's numerical failure: kernels know indices only (names never enter
/// generated code), the IR knows which constraint or coordinate an index is.
/// </summary>
public static partial class KernelFailures
{
    [GeneratedRegex(@"^A\[(\d+),")]
    private static partial Regex MultiplierPivot();

    [GeneratedRegex(@"^H~\[(\d+)\]")]
    private static partial Regex MassPivot();

    public static NumericalFailure Named(NumericalFailure e, IrProgram p)
    {
        if (MultiplierPivot().Match(e.Quantity) is { Success: true } a)
        {
            var j = int.Parse(a.Groups[1].Value);
            var coupled = p
                .A.Where(x => x.Row == j || x.Column == j)
                .SelectMany(x => new[] { x.Row, x.Column })
                .Where(k => k != j)
                .Distinct()
                .Order()
                .Select(k => $"'{p.ConstraintNames[k]}'");
            return new NumericalFailure(
                e.Time,
                $"multiplier matrix at constraint '{p.ConstraintNames[j]}'",
                $"singular: '{p.ConstraintNames[j]}' depends on the constraints before it (coupled with {string.Join(", ", coupled)})"
            );
        }
        if (MassPivot().Match(e.Quantity) is { Success: true } h)
        {
            var i = int.Parse(h.Groups[1].Value);
            return new NumericalFailure(e.Time, $"H at coordinate '{p.CoordinateNames[i]}'", "not positive definite");
        }
        return e;
    }
}
