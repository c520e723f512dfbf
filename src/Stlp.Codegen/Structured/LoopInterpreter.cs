using Stlp.Ir;
using Stlp.Runtime.Kernels.Structured;

namespace Stlp.Codegen.Structured;

/// <summary>
/// The loop IR run directly: every row's element code and every edge's summand code through the
/// straight-line evaluator. The reference the emitted form loops are tested against; slow.
/// </summary>
public sealed class LoopInterpreter : IFormLoops
{
    private readonly LoopProgram program;
    private readonly double[][] formTemps;
    private readonly double[] edgeTemps;
    private readonly double[] slots;
    private readonly double[] rates;
    private readonly double[] edgeSlots = new double[2];
    private readonly double[] edgeRates = new double[2];

    public LoopInterpreter(LoopProgram program)
    {
        this.program = program ?? throw new ArgumentNullException(nameof(program));
        formTemps = [.. program.Forms.Select(f => new double[f.Instructions.Length])];
        edgeTemps = new double[program.Edge?.Instructions.Length ?? 0];
        var width = program.Forms.Length == 0 ? 0 : program.Forms.Max(f => f.SlotNames.Length);
        slots = new double[width];
        rates = new double[width];
    }

    public void Evaluate(
        NetworkRows rows,
        int[] rangeForm,
        int[] rangeStart,
        int[] rangeCount,
        int[] rowSignalStart,
        double t,
        ReadOnlySpan<double> q,
        ReadOnlySpan<double> qdot,
        ReadOnlySpan<double> u,
        ReadOnlySpan<double> parameters,
        ReadOnlySpan<double> signalSlots
    )
    {
        for (var r = 0; r < rangeForm.Length; r++)
        {
            var form = program.Forms[rangeForm[r]];
            var temps = formTemps[rangeForm[r]];
            for (var j = rangeStart[r]; j < rangeStart[r] + rangeCount[r]; j++)
            {
                double a = 0,
                    aRate = 0,
                    aCurvature = 0,
                    product = 0,
                    weightMass = 0;
                if (form.HasSum)
                {
                    var edge = program.Edge!;
                    for (var e = rows.RowEdgeStart[j]; e < rows.RowEdgeStart[j + 1]; e++)
                    {
                        edgeSlots[0] = q[rows.EdgeWeight[e]];
                        edgeSlots[1] = q[rows.EdgeSource[e]];
                        edgeRates[0] = qdot[rows.EdgeWeight[e]];
                        edgeRates[1] = qdot[rows.EdgeSource[e]];
                        StraightLine.Run(edge.Instructions, edgeTemps, t, edgeSlots, edgeRates, parameters, []);
                        a += edgeTemps[edge.Value];
                        aRate += edgeTemps[edge.Rate];
                        aCurvature += edgeTemps[edge.Curvature];
                        var weightPartial = edgeTemps[edge.WeightPartial];
                        var sourcePartial = edgeTemps[edge.SourcePartial];
                        rows.EdgeWeightPartial[e] = weightPartial;
                        rows.EdgeSourcePartial[e] = sourcePartial;
                        product += weightPartial * u[rows.EdgeWeight[e]] + sourcePartial * u[rows.EdgeSource[e]];
                        weightMass += weightPartial * weightPartial * rows.InverseMass[rows.EdgeWeight[e]];
                    }
                }
                rows.EdgeProduct[j] = product;
                rows.EdgeWeightMass[j] = weightMass;
                slots[0] = q[rows.RowOutput[j]];
                rates[0] = qdot[rows.RowOutput[j]];
                (slots[1], rates[1]) = (a, aRate);
                (slots[2], rates[2]) = (aCurvature, 0);
                var first = rows.RowScalarStart[j];
                for (var k = 0; k < form.ScalarCount; k++)
                {
                    slots[3 + k] = q[rows.ScalarCoordinate[first + k]];
                    rates[3 + k] = qdot[rows.ScalarCoordinate[first + k]];
                }
                for (var k = 0; k < form.SignalCount; k++)
                {
                    var at = 3 * (rowSignalStart[j] + k);
                    var slot = 3 + form.ScalarCount + 2 * k;
                    (slots[slot], rates[slot]) = (signalSlots[at], signalSlots[at + 1]);
                    (slots[slot + 1], rates[slot + 1]) = (signalSlots[at + 2], 0);
                }
                StraightLine.Run(form.Instructions, temps, t, slots, rates, parameters, []);
                rows.G[j] = temps[form.G];
                rows.Gdot[j] = temps[form.Gdot];
                rows.Gamma[j] = temps[form.Gamma];
                rows.OutputPartial[j] = temps[form.OutputPartial];
                var sumPartial = form.HasSum ? temps[form.SumPartial] : 0;
                rows.SumPartial[j] = sumPartial;
                for (var k = 0; k < form.ScalarCount; k++)
                {
                    rows.ScalarPartial[first + k] = temps[form.ScalarPartials[k]];
                }
            }
        }
    }
}
