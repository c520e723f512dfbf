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

    /// <summary>
    /// The cause of a kernel's failure at a state: a non-finite input (time, coordinate, velocity,
    /// parameter, signal), then a non-finite or zero dissipation, then the first non-finite derived
    /// quantity (H~, f~, G, Gdot, G_q, gamma, A, b), each by name; only when all are finite is the
    /// failure the kernel's own (a singular multiplier matrix, named by <see cref="Named"/>).
    /// </summary>
    public static NumericalFailure Explain(
        NumericalFailure e,
        IKernelShape shape,
        double t,
        ReadOnlySpan<double> q,
        ReadOnlySpan<double> qdot,
        ReadOnlySpan<double> parameters,
        ReadOnlySpan<double> signals
    )
    {
        NumericalFailure Fail(string quantity, double value, string why = "") => new(t, quantity, $"is {value:R}{why}");
        var p = shape;
        if (!double.IsFinite(t))
        {
            return Fail("the time t", t);
        }
        for (var i = 0; i < p.N && i < q.Length && i < qdot.Length; i++)
        {
            if (!double.IsFinite(q[i]))
            {
                return Fail($"coordinate '{p.CoordinateNames[i]}'", q[i]);
            }
            if (!double.IsFinite(qdot[i]))
            {
                return Fail($"velocity of '{p.CoordinateNames[i]}'", qdot[i]);
            }
        }
        for (var k = 0; k < p.ParameterNames.Length && k < parameters.Length; k++)
        {
            if (!double.IsFinite(parameters[k]))
            {
                return Fail($"parameter '{p.ParameterNames[k]}'", parameters[k]);
            }
        }
        for (var k = 0; k < p.SignalInputs.Length && k < signals.Length; k++)
        {
            if (!double.IsFinite(signals[k]))
            {
                var (name, order) = p.SignalInputs[k];
                return Fail($"signal {name}{new string('\'', order)}", signals[k]);
            }
        }
        // A structured kernel names its own failures (the row, the solver).
        if (shape is not IrProgram ir)
        {
            return e;
        }
        if (q.Length < p.N || qdot.Length < p.N)
        {
            return Named(e, ir);
        }
        return Derived(e, ir, t, q, qdot, parameters, signals);
    }

    private static NumericalFailure Derived(
        NumericalFailure e,
        IrProgram p,
        double t,
        ReadOnlySpan<double> q,
        ReadOnlySpan<double> qdot,
        ReadOnlySpan<double> parameters,
        ReadOnlySpan<double> signals
    )
    {
        NumericalFailure Fail(string quantity, double value, string why = "") => new(t, quantity, $"is {value:R}{why}");
        double[] v;
        try
        {
            v = new Interpreter(p).Temporaries(t, q, qdot, parameters, signals);
        }
        catch (Exception other) when (other is ArgumentException or IndexOutOfRangeException)
        {
            return Named(e, p);
        }
        var varpi = v[p.Varpi];
        if (double.IsNaN(varpi) || varpi == 0)
        {
            return Fail(
                "the dissipation varpi",
                varpi,
                " (it must be a nonzero number: H and f are divided by it; only its overflow is harmless)"
            );
        }
        foreach (var h in p.HNorm)
        {
            if (!double.IsFinite(v[h.Slot]))
            {
                var at =
                    h.Row == h.Column
                        ? $"'{p.CoordinateNames[h.Row]}'"
                        : $"'{p.CoordinateNames[h.Row]}', '{p.CoordinateNames[h.Column]}'";
                return Fail($"the mass H~ = H / varpi at {at}", v[h.Slot]);
            }
        }
        for (var i = 0; i < p.FNorm.Length; i++)
        {
            if (!double.IsFinite(v[p.FNorm[i]]))
            {
                return Fail(
                    $"the force f~ at coordinate '{p.CoordinateNames[i]}' (from the loss, forces and velocity terms, over varpi)",
                    v[p.FNorm[i]]
                );
            }
        }
        string Constraint(int j) => $"constraint '{p.ConstraintNames[j]}'";
        foreach (var (slots, what) in new[] { (p.G, "G"), (p.Gdot, "Gdot"), (p.Gamma, "gamma"), (p.B, "b") })
        {
            for (var j = 0; j < slots.Length && j < p.R; j++)
            {
                if (!double.IsFinite(v[slots[j]]))
                {
                    return Fail($"{what} of {Constraint(j)}", v[slots[j]]);
                }
            }
        }
        foreach (var g in p.Gq)
        {
            if (!double.IsFinite(v[g.Slot]))
            {
                return Fail($"G_q of {Constraint(g.Row)} in '{p.CoordinateNames[g.Column]}'", v[g.Slot]);
            }
        }
        foreach (var a in p.A)
        {
            if (!double.IsFinite(v[a.Slot]))
            {
                return Fail($"the multiplier matrix A at {Constraint(a.Row)}, {Constraint(a.Column)}", v[a.Slot]);
            }
        }
        return Named(e, p);
    }

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
                coupled.Any()
                    ? $"singular: '{p.ConstraintNames[j]}' depends on the constraints before it (coupled with {string.Join(", ", coupled)})"
                    : $"singular: '{p.ConstraintNames[j]}' has a zero gradient G_q here"
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
