using System.Diagnostics;
using Stlp.Codegen;
using Stlp.Model;
using Stlp.Runtime.Integration;

namespace Stlp.Bench;

/// <summary>
/// Dormand–Prince against the implicit integrators (SDIRK, Rosenbrock) on samples/backprop_limit.stlp as the masses
/// shrink (the system gets stiff: relaxation time m/gamma): accepted steps, right-hand sides,
/// Jacobians, wall time, and the error of the final state against a tight Dormand–Prince
/// reference, side by side in one run.
/// </summary>
public static class StiffComparison
{
    public static void Print(TextWriter output)
    {
        output.WriteLine("m,t1,rtol,method,steps,rejected,rhs,jacobians,wall_ms,final_error");
        const double end = 10;
        foreach (var m in new[] { 1e-2, 1e-3, 1e-4 })
        {
            var model = ModelFile.Load(
                Path.Combine(Repository.Root, "samples", "backprop_limit.stlp"),
                new Dictionary<string, double> { ["m"] = m }
            );
            var derivation = Repository.Derive(model);
            var compiled = KernelFactory.Create(Lower.lower(derivation), null);
            var initial = InitialConditionsModule
                .complete(derivation, new FormulaSignals(model), model.ParameterValues)
                .State;
            double[] Start() => [.. initial.Q, .. initial.Qdot];
            var reference = Start();
            new DormandPrince(1e-12, 1e-14).Integrate(
                new KernelSystem(compiled.Kernel, compiled.Program.ParameterDefaults),
                0,
                reference,
                end,
                end,
                (_, _) => { }
            );
            foreach (var (rtol, atol) in new[] { (1e-5, 1e-7), (1e-6, 1e-8), (1e-7, 1e-9), (1e-8, 1e-10) })
            {
                foreach (var method in new[] { "dopri5", "rosenbrock", "sdirk" })
                {
                    var best = double.MaxValue;
                    IntegrationStatistics? stats = null;
                    long rhs = 0,
                        jacobians = 0;
                    double error = 0;
                    for (var run = 0; run < 3; run++)
                    {
                        var system = new KernelSystem(compiled.Kernel, compiled.Program.ParameterDefaults);
                        var y = Start();
                        var watch = Stopwatch.StartNew();
                        IAdaptiveIntegrator integrator = method switch
                        {
                            "sdirk" => new Sdirk(rtol, atol),
                            "rosenbrock" => new Rosenbrock(rtol, atol),
                            _ => new DormandPrince(rtol, atol),
                        };
                        stats = integrator.Integrate(system, 0, y, end, end, (_, _) => { });
                        jacobians = integrator switch
                        {
                            Sdirk sdirk => sdirk.JacobianEvaluations,
                            Rosenbrock rosenbrock => rosenbrock.JacobianEvaluations,
                            _ => 0,
                        };
                        best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
                        rhs = system.Evaluations;
                        error = y.Zip(reference, (a, b) => Math.Abs(a - b)).Max();
                    }
                    output.WriteLine(
                        $"{m:G},{end},{rtol:G},{method},{stats!.Accepted},{stats.Rejected},{rhs},{jacobians},{best:F1},{error:E2}"
                    );
                }
            }
        }
    }
}
