using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stlp.Codegen;
using Stlp.Ir;
using Stlp.Model;
using Stlp.Runtime.Kernels;

namespace Stlp.Cli;

/// <summary>
/// <c>stlp eval FILE --state STATE.json</c>: evaluate the generated kernel at given states.
/// A state is <c>{"t": 0.5, "q": {"x1": 0.1, ...}, "qdot": {...}}</c> (plus <c>"signals"</c> for
/// data-set signals, keyed <c>name</c>, <c>name'</c>, <c>name''</c>), or an array of them.
/// </summary>
public static class EvalCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "The .stlp model file." };
        var state = new Option<string>("--state")
        {
            Description = "A JSON file with one state or an array of states.",
            Required = true,
        };
        var interpreted = new Option<bool>("--interpreted")
        {
            Description = "Use the IR interpreter instead of the generated kernel.",
        };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not use the compiled-kernel cache." };
        var set = CommonOptions.Set();
        var command = new Command("eval", "Evaluate accelerations, multipliers and residuals at given states.")
        {
            file,
            state,
            interpreted,
            noCache,
            set,
        };
        command.SetAction(parse =>
            KernelLoading.Run(
                parse.GetValue(file)!,
                parse.GetValue(set) ?? [],
                error,
                derivation =>
                {
                    var statePath = parse.GetValue(state)!;
                    if (!File.Exists(statePath))
                    {
                        throw new InputError($"{statePath}: no such file");
                    }
                    JsonNode? input;
                    try
                    {
                        input = JsonNode.Parse(File.ReadAllText(statePath));
                    }
                    catch (JsonException e)
                    {
                        throw new InputError($"{statePath}: not valid JSON: {e.Message}");
                    }
                    IKernel kernel;
                    IrProgram program;
                    if (parse.GetValue(interpreted))
                    {
                        program = Lower.lower(derivation);
                        kernel = new Interpreter(program);
                    }
                    else
                    {
                        var compiled = KernelFactory.Create(
                            Lower.lower(derivation),
                            parse.GetValue(noCache) ? null : KernelCache.Default()
                        );
                        (kernel, program) = (compiled.Kernel, compiled.Program);
                    }
                    JsonNode result;
                    try
                    {
                        result = input is JsonArray states
                            ? new JsonArray([.. states.Select(s => Evaluate(kernel, program, s))])
                            : Evaluate(kernel, program, input);
                    }
                    catch (NumericalFailure e)
                    {
                        throw KernelFailures.Named(e, program);
                    }
                    output.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                    return ExitCodes.Ok;
                }
            )
        );
        return command;
    }

    private static double[] Values(JsonNode? obj, string[] names, string what, Func<string, string> key)
    {
        if (obj is not JsonObject o)
        {
            if (names.Length == 0)
            {
                return [];
            }
            throw new InputError($"the state has no \"{what}\" object");
        }
        var missing = names.Where(n => o[key(n)] is null).ToArray();
        if (missing.Length > 0)
        {
            throw new InputError($"the state's \"{what}\" lacks {string.Join(", ", missing.Select(key))}");
        }
        return [.. names.Select(n => o[key(n)]!.GetValue<double>())];
    }

    public static JsonObject Evaluate(IKernel kernel, IrProgram p, JsonNode? state)
    {
        if (state is not JsonObject s || s["t"] is null)
        {
            throw new InputError("a state is an object with \"t\", \"q\" and \"qdot\"");
        }
        var t = s["t"]!.GetValue<double>();
        var q = Values(s["q"], p.CoordinateNames, "q", n => n);
        var qdot = Values(s["qdot"], p.CoordinateNames, "qdot", n => n);
        var signalNames = p.SignalInputs.Select(x => x.Name + new string('\'', x.Order)).ToArray();
        var signals = Values(s["signals"], signalNames, "signals", n => n);
        var qddot = new double[p.N];
        var lambda = new double[p.R];
        var g = new double[p.R];
        var gdot = new double[p.R];
        kernel.Evaluate(t, q, qdot, p.ParameterDefaults, signals, qddot, lambda, g, gdot, out var varpi);
        var qdd = new JsonObject();
        for (var i = 0; i < p.N; i++)
        {
            qdd[p.CoordinateNames[i]] = qddot[i];
        }
        JsonArray Array(IEnumerable<double> xs) => [.. xs.Select(x => double.IsFinite(x) ? JsonValue.Create(x) : null)];
        return new JsonObject
        {
            ["t"] = t,
            ["qddot"] = qdd,
            // Raw multipliers where varpi is finite; null where they overflow.
            ["lambda"] = Array(lambda.Select(l => l * varpi)),
            ["lambda_normalized"] = Array(lambda),
            ["G"] = Array(g),
            ["Gdot"] = Array(gdot),
        };
    }
}
