using System.Text.Json;
using System.Text.Json.Nodes;
using Stlp.Codegen;
using Stlp.Ir;
using Stlp.Model;
using Stlp.Runtime.Kernels;

namespace Stlp.Simulation;

/// <summary>
/// The derived system evaluated at given states: accelerations, multipliers and residuals. A
/// state is <c>{"t": 0.5, "q": {"x1": 0.1, ...}, "qdot": {...}}</c> (plus <c>"signals"</c> for
/// data-set signals, keyed <c>name</c>, <c>name'</c>, <c>name''</c>), or an array of them.
/// </summary>
public static class StateEvaluation
{
    /// <summary>
    /// Evaluates the states in a JSON file with a model's kernel (or, with
    /// <paramref name="interpreted"/>, the interpreter of its IR).
    /// </summary>
    public static JsonNode EvaluateFile(ModelKernel model, string statePath, bool interpreted)
    {
        if (Directory.Exists(statePath))
        {
            throw new InputError($"{statePath}: a directory, not a state file");
        }
        if (!File.Exists(statePath))
        {
            throw new InputError($"{statePath}: no such file");
        }
        JsonNode? input;
        try
        {
            input = JsonNode.Parse(
                File.ReadAllText(statePath),
                documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 64 }
            );
        }
        catch (JsonException e)
        {
            throw new InputError($"{statePath}: not valid JSON: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputError($"{statePath}: cannot read: {e.Message}");
        }
        var kernel = interpreted ? model.Reference : model.Kernel;
        var program = model.Shape;
        var derivation = model.Derivation;
        if (input is JsonArray states)
        {
            var results = new JsonArray();
            for (var k = 0; k < states.Count; k++)
            {
                try
                {
                    results.Add(Described(Evaluate(kernel, program, states[k]), derivation));
                }
                catch (InputError e)
                {
                    throw new InputError($"{statePath}: state {k}: {e.Message}");
                }
            }
            return results;
        }
        try
        {
            return Described(Evaluate(kernel, program, input), derivation);
        }
        catch (InputError e)
        {
            throw new InputError($"{statePath}: {e.Message}");
        }
    }

    /// <summary>Says which system was evaluated: with a stabilization, accelerations off the constraint surface are the stabilized ones.</summary>
    private static JsonObject Described(JsonObject result, Derivation derivation)
    {
        result["system"] = DerivePrint.stabilizationText(derivation.Stabilization);
        return result;
    }

    /// <summary>One state object evaluated with a kernel.</summary>
    public static JsonObject Evaluate(IKernel kernel, IKernelShape p, JsonNode? state)
    {
        if (state is not JsonObject s || s["t"] is null)
        {
            throw new InputError("a state is an object with \"t\", \"q\" and \"qdot\"");
        }
        var t = Number(s["t"], "t");
        var q = Values(s["q"], p.CoordinateNames, "q");
        var qdot = Values(s["qdot"], p.CoordinateNames, "qdot");
        var signalNames = p.SignalInputs.Select(x => x.Name + new string('\'', x.Order)).ToArray();
        var signals = Values(s["signals"], signalNames, "signals");
        var qddot = new double[p.N];
        var lambda = new double[p.R];
        var g = new double[p.R];
        var gdot = new double[p.R];
        double varpi;
        try
        {
            kernel.Evaluate(t, q, qdot, p.ParameterDefaults, signals, qddot, lambda, g, gdot, out varpi);
        }
        catch (NumericalFailure e)
        {
            throw KernelFailures.Explain(e, p, t, q, qdot, p.ParameterDefaults, signals);
        }
        var qdd = new JsonObject();
        for (var i = 0; i < p.N; i++)
        {
            qdd[p.CoordinateNames[i]] = Finite(qddot[i]);
        }
        // Per constraint, keyed by its name like qddot is by coordinate.
        JsonObject ByConstraint(IEnumerable<double> xs)
        {
            var byName = new JsonObject();
            foreach (var (name, x) in p.ConstraintNames.Zip(xs))
            {
                byName[name] = Finite(x);
            }
            return byName;
        }
        return new JsonObject
        {
            ["t"] = Finite(t),
            ["qddot"] = qdd,
            // Raw multipliers where varpi is finite; null where they overflow.
            ["lambda"] = ByConstraint(lambda.Select(l => l * varpi)),
            ["lambda_normalized"] = ByConstraint(lambda),
            ["G"] = ByConstraint(g),
            ["Gdot"] = ByConstraint(gdot),
        };
    }

    private static JsonNode? Finite(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;

    private static double Number(JsonNode? node, string what) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var x)
            ? double.IsFinite(x)
                ? x
                : throw new InputError($"the state's \"{what}\" is not a finite number: {Shown(node)}")
            : throw new InputError($"the state's \"{what}\" is not a number: {Shown(node)}");

    private static string Shown(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length > 40 ? text[..40] + "..." : text;
    }

    private static double[] Values(JsonNode? obj, string[] names, string what)
    {
        if (obj is not JsonObject o)
        {
            if (names.Length == 0 && obj is null)
            {
                return [];
            }
            throw new InputError($"the state has no \"{what}\" object");
        }
        var missing = names.Where(n => !o.ContainsKey(n)).ToArray();
        if (missing.Length > 0)
        {
            throw new InputError($"the state's \"{what}\" lacks {string.Join(", ", missing)}");
        }
        var unknown = o.Select(kv => kv.Key).Where(k => !names.Contains(k)).ToArray();
        if (unknown.Length > 0)
        {
            throw new InputError(
                $"the state's \"{what}\" names {string.Join(", ", unknown.Select(u => $"'{u}'"))}, which the model does not have"
            );
        }
        return [.. names.Select(n => Number(o[n], $"{what}.{n}"))];
    }
}
