using System.Text.RegularExpressions;
using Xunit;

namespace Stlp.Cli.Tests;

/// <summary>
/// Hostile and malformed inputs through the stlp command, in-process: each case's exit code, that
/// standard error locates the problem (a file, a line, an option or the named item), and that no
/// .NET stack trace or exception type reaches the user.
/// </summary>
public partial class CorpusTests
{
    /// <summary>One input: what to write into a fresh folder, the command line, the exit code, what stderr must say.</summary>
    public sealed record Case(string Name, Func<Sandbox, string[]> Arguments, int Code, params string[] Says);

    [GeneratedRegex(@"^\s+at \S", RegexOptions.Multiline | RegexOptions.NonBacktracking)]
    private static partial Regex StackFrame();

    [GeneratedRegex(@"\b(System|Microsoft|Stlp)(\.\w+)*\.\w*Exception\b|\w+Exception:", RegexOptions.NonBacktracking)]
    private static partial Regex ExceptionType();

    /// <summary>Checks what every case must hold, whatever its input.</summary>
    internal static void AssertClean(string error)
    {
        Assert.DoesNotMatch(StackFrame(), error);
        Assert.DoesNotMatch(ExceptionType(), error);
        Assert.DoesNotContain("internal error", error);
        Assert.False(
            error.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'),
            $"a control character reached stderr: {error}"
        );
    }

    private const string Fig2a = "fig2a.stlp";

    private static string Sample(string name) => Cli.Sample(name);

    /// <summary>fig2a with one line changed, written into the sandbox.</summary>
    private static string Fig2aWith(Sandbox box, string prefix, string line) =>
        box.Write(
            "m.stlp",
            string.Join(
                "\n",
                File.ReadAllLines(Sample(Fig2a)).Select(l => l.StartsWith(prefix, StringComparison.Ordinal) ? line : l)
            )
        );

    private const string StateOk = """{"t": 0.5, "q": {"x": 0.1, "w": 0.2}, "qdot": {"x": 0, "w": 0}}""";

    private static Case State(string name, string json, params string[] says) =>
        new(
            "state: " + name,
            box => ["eval", Sample(Fig2a), "--state", box.Write("state.json", json), "--interpreted"],
            ExitCodes.Usage,
            ["state.json", .. says]
        );

    /// <summary>A two-feature data set with a class target in f.csv, shown (the table is read when the model loads).</summary>
    private static string DataModel(
        Sandbox box,
        string csv,
        string target = "target class onehot",
        string layers = "2-2-2"
    )
    {
        box.Write("f.csv", csv);
        return box.Write(
            "d.stlp",
            $$"""
            model d
            data D = csv "f.csv", {{target}}, present 0.5, mollify 0.05, epochs 2, split 1, seed 1
            network feedforward D {{layers}} {
                activation tanh
                data D
                mass x 0.001 w 1
                init weights random 1 seed 7
            }
            dissipation exp(4*t)
            simulate from 0 to 4, method dopri5, rtol 1e-5, atol 1e-6, stabilize baumgarte 10 10, output every 0.25
            """
        );
    }

    private static Case Csv(string name, string csv, params string[] says) =>
        new("csv: " + name, box => ["show", DataModel(box, csv)], ExitCodes.ModelError, ["f.csv", .. says]);

    private static Case Option(string name, int code, string[] args, params string[] says) =>
        new("option: " + name, box => ["run", Sample(Fig2a), "-o", box.Path("out"), .. args], code, says);

    private static string Hand(Sandbox box, string body) =>
        box.Write(
            "Hand.cs",
            "using System;\nusing Stlp.Runtime.Kernels;\npublic sealed class Hand : IKernel\n{\n"
                + "    public int CoordinateCount => 2;\n    public int ConstraintCount => 1;\n"
                + "    public int ParameterCount => 1;\n    public int SignalCount => 0;\n"
                + body
                + "\n}\n"
        );

    private const string Evaluate =
        "    public void Evaluate(double t, ReadOnlySpan<double> q, ReadOnlySpan<double> qdot, ReadOnlySpan<double> p, "
        + "ReadOnlySpan<double> s, Span<double> qddot, Span<double> l, Span<double> g, Span<double> gdot, out double varpi)";

    public static IEnumerable<Case> All =>
        [
            // ---- state files for stlp eval --state ----
            State("t a string", """{"t": "a", "q": {"x": 0, "w": 0}, "qdot": {"x": 0, "w": 0}}""", "\"t\""),
            State("t a boolean", """{"t": true, "q": {"x": 0, "w": 0}, "qdot": {"x": 0, "w": 0}}""", "\"t\""),
            State("t null", """{"t": null, "q": {"x": 0, "w": 0}, "qdot": {"x": 0, "w": 0}}""", "\"t\""),
            State("t an object", """{"t": {}, "q": {"x": 0, "w": 0}, "qdot": {"x": 0, "w": 0}}""", "\"t\""),
            State("t overflowing", """{"t": 1e400, "q": {"x": 0, "w": 0}, "qdot": {"x": 0, "w": 0}}""", "\"t\""),
            State("q.x a string", """{"t": 0, "q": {"x": "1", "w": 0}, "qdot": {"x": 0, "w": 0}}""", "q.x"),
            State("q.x a boolean", """{"t": 0, "q": {"x": false, "w": 0}, "qdot": {"x": 0, "w": 0}}""", "q.x"),
            State("q.x null", """{"t": 0, "q": {"x": null, "w": 0}, "qdot": {"x": 0, "w": 0}}""", "q.x"),
            State("q.x an array", """{"t": 0, "q": {"x": [1], "w": 0}, "qdot": {"x": 0, "w": 0}}""", "q.x"),
            State("qdot.w an object", """{"t": 0, "q": {"x": 0, "w": 0}, "qdot": {"x": 0, "w": {}}}""", "qdot.w"),
            State("q an array", """{"t": 0, "q": [0, 0], "qdot": {"x": 0, "w": 0}}""", "\"q\""),
            State("q null", """{"t": 0, "q": null, "qdot": {"x": 0, "w": 0}}""", "\"q\""),
            State("qdot missing", """{"t": 0, "q": {"x": 0, "w": 0}}""", "\"qdot\""),
            State("duplicate key", """{"t": 0, "q": {"x": 0, "x": 1, "w": 0}, "qdot": {"x": 0, "w": 0}}""", "'x'"),
            State("duplicate t", """{"t": 0, "t": 1, "q": {"x": 0, "w": 0}, "qdot": {"x": 0, "w": 0}}""", "'t'"),
            State(
                "unknown coordinate",
                """{"t": 0, "q": {"x": 0, "w": 0, "zz": 1}, "qdot": {"x": 0, "w": 0}}""",
                "'zz'"
            ),
            State("missing coordinate", """{"t": 0, "q": {"x": 0}, "qdot": {"x": 0, "w": 0}}""", "lacks w"),
            State("missing t", """{"q": {"x": 0, "w": 0}, "qdot": {"x": 0, "w": 0}}""", "\"t\""),
            State("not JSON", "t = 0, x = 1", "not valid JSON"),
            State("empty", "", "not valid JSON"),
            State("trailing garbage", StateOk + " }", "not valid JSON"),
            State("a number", "42", "a state is an object"),
            State("an array with a non-object", $"[{StateOk}, 7]", "state 1"),
            State("nested too deep", new string('[', 5000) + new string(']', 5000), "not valid JSON"),
            State(
                "a control character in a key",
                "{\"t\": 0, \"q\": {\"x\": 0, \"w\": 0, \"z\\u0007\": 1}, \"qdot\": {\"x\": 0, \"w\": 0}}",
                "\\u0007"
            ),
            new(
                "state: a directory",
                box => ["eval", Sample(Fig2a), "--state", box.Directory("states"), "--interpreted"],
                ExitCodes.Usage,
                "states",
                "directory"
            ),
            new(
                "state: no such file",
                box => ["eval", Sample(Fig2a), "--state", box.Path("nothing.json"), "--interpreted"],
                ExitCodes.Usage,
                "nothing.json"
            ),
            // ---- data CSV files referenced by a model ----
            Csv("ragged row", "a,b,class\n0,0,no\n0,1\n", "f.csv:3"),
            Csv("non-numeric cell", "a,b,class\n0,0,no\n0,one,yes\n", "f.csv:3", "'b'"),
            Csv("NaN cell", "a,b,class\n0,NaN,no\n0,1,yes\n", "f.csv:2", "finite"),
            Csv("Infinity cell", "a,b,class\n0,0,no\n0,Infinity,yes\n", "f.csv:3", "finite"),
            Csv("overflowing cell", "a,b,class\n0,0,no\n0,1e999,yes\n", "f.csv:3"),
            Csv("quoted cell with a comma", "a,b,class\n0,\"1,5\",no\n0,1,yes\n", "f.csv:2"),
            Csv("quoted number", "a,b,class\n0,\"1\",no\n0,1,yes\n", "f.csv:2", "'b'"),
            Csv("empty file", "", "no rows"),
            Csv("header only", "a,b,class\n", "no rows"),
            Csv("blank lines only", "\n\n  \n", "no rows"),
            Csv("a control character in a cell", "a,b,class\n0,\u001b[31m,no\n0,1,yes\n", "f.csv:2"),
            new(
                "csv: a very long cell is not echoed whole",
                box => ["show", DataModel(box, "a,b,class\n0," + new string('z', 100_000) + ",no\n0,1,yes\n")],
                ExitCodes.ModelError,
                "f.csv:2"
            ),
            new(
                "csv: the target column is missing",
                box => ["show", DataModel(box, "a,b,label\n0,0,no\n0,1,yes\n", "target class onehot")],
                ExitCodes.ModelError,
                "'class'"
            ),
            new(
                "csv: a directory",
                box =>
                {
                    var model = DataModel(box, "a,b,class\n0,0,no\n");
                    File.Delete(box.Path("f.csv"));
                    box.Directory("f.csv");
                    return ["show", model];
                },
                ExitCodes.ModelError,
                "f.csv"
            ),
            new(
                "csv: no such file",
                box =>
                {
                    var model = DataModel(box, "a,b,class\n0,0,no\n");
                    File.Delete(box.Path("f.csv"));
                    return ["show", model];
                },
                ExitCodes.ModelError,
                "f.csv"
            ),
            new(
                "csv: one class only for a one-hot target",
                box =>
                    [
                        "run",
                        DataModel(box, "a,b,class\n0,0,no\n0,1,no\n1,0,no\n", layers: "2-2-1"),
                        "-o",
                        box.Path("out"),
                    ],
                ExitCodes.ModelError,
                "'D'",
                "one class"
            ),
            new(
                "csv: a non-numeric target without one-hot",
                box =>
                    [
                        "run",
                        DataModel(box, "a,b,class\n0,0,no\n0,1,yes\n", "target class", "2-2-1"),
                        "-o",
                        box.Path("out"),
                    ],
                ExitCodes.ModelError,
                "'D'",
                "'no'"
            ),
            // ---- output locations ----
            new(
                "out: a file",
                box => ["run", Sample(Fig2a), "--t1", "0.1", "-o", box.Write("taken", "x")],
                ExitCodes.Usage,
                "taken"
            ),
            new(
                "out: below a file",
                box => ["run", Sample(Fig2a), "--t1", "0.1", "-o", Path.Combine(box.Write("taken", "x"), "sub")],
                ExitCodes.Usage,
                "taken"
            ),
            new(
                "out: an unwritable place",
                _ => ["run", Sample(Fig2a), "--t1", "0.1", "-o", "/proc/stlp-out"],
                ExitCodes.Usage,
                "/proc/stlp-out"
            ),
            new(
                "codegen -o: below a file",
                box => ["codegen", Sample(Fig2a), "-o", Path.Combine(box.Write("taken", "x"), "K.cs")],
                ExitCodes.Usage,
                "taken"
            ),
            new(
                "codegen -o: a directory",
                box => ["codegen", Sample(Fig2a), "-o", box.Directory("dir")],
                ExitCodes.Usage,
                "dir"
            ),
            new(
                "sweep -o: a file",
                box => ["sweep", Sample(Fig2a), "--grid", "theta=1,2", "--t1", "0.1", "-o", box.Write("taken", "x")],
                ExitCodes.Usage,
                "taken"
            ),
            // ---- options ----
            Option("stabilize not a number", 1, ["--stabilize", "penalty abc"], "'abc'", "penalty abc"),
            Option("stabilize NaN", 1, ["--stabilize", "penalty NaN"], "'NaN'"),
            Option("stabilize unknown kind", 1, ["--stabilize", "magic"], "'magic'"),
            Option("stabilize missing a number", 1, ["--stabilize", "baumgarte 1"], "'baumgarte 1'"),
            Option("set without =", 1, ["--set", "theta"], "--set", "'theta'"),
            Option("set without a name", 1, ["--set", "=3"], "--set", "'=3'"),
            Option("set NaN", 1, ["--set", "theta=NaN"], "--set", "'theta=NaN'"),
            Option("set infinite", 1, ["--set", "theta=1e999"], "--set"),
            Option("set not a number", 1, ["--set", "theta=abc"], "--set", "'theta=abc'"),
            Option("set an unknown parameter", 2, ["--set", "nosuch=1", "--t1", "0.1"], "nosuch"),
            Option("t1 NaN", 1, ["--t1", "NaN"], "--t1", "NaN"),
            Option("t1 infinite", 1, ["--t1", "Infinity"], "--t1"),
            Option("t1 at the start", 1, ["--t1", "0"], "--t1"),
            Option("t1 before the start", 1, ["--t1", "-1"], "--t1"),
            Option("t1 not a number", 1, ["--t1", "soon"], "soon"),
            Option("t1 so far the run cannot record it", 1, ["--t1", "1e12"], "--t1"),
            Option("step zero", 1, ["--method", "rk4", "--step", "0", "--t1", "0.1"], "--step"),
            Option("step negative", 1, ["--method", "rk4", "--step", "-0.1", "--t1", "0.1"], "--step"),
            Option("step NaN", 1, ["--method", "rk4", "--step", "NaN", "--t1", "0.1"], "--step"),
            Option("step too small to finish", 1, ["--method", "rk4", "--step", "1e-12", "--t1", "1"], "--step", "rk4"),
            Option("rtol zero", 1, ["--rtol", "0", "--t1", "0.1"], "--rtol"),
            Option("rtol negative", 1, ["--rtol", "-1e-6", "--t1", "0.1"], "--rtol"),
            Option("rtol NaN", 1, ["--rtol", "NaN", "--t1", "0.1"], "--rtol"),
            Option("atol zero", 1, ["--atol", "0", "--t1", "0.1"], "--atol"),
            Option("atol infinite", 1, ["--atol", "Infinity", "--t1", "0.1"], "--atol"),
            Option("unknown method", 1, ["--method", "euler", "--t1", "0.1"], "euler"),
            new("check: n zero", _ => ["check", Sample(Fig2a), "--n", "0"], ExitCodes.Usage, "states", "0"),
            new("check: n negative", _ => ["check", Sample(Fig2a), "--n", "-5"], ExitCodes.Usage, "-5"),
            new(
                "check: tolerance NaN",
                _ => ["check", Sample(Fig2a), "--tolerance", "NaN"],
                ExitCodes.Usage,
                "--tolerance"
            ),
            new(
                "check: tolerance negative",
                _ => ["check", Sample(Fig2a), "--tolerance", "-1"],
                ExitCodes.Usage,
                "--tolerance"
            ),
            new(
                "sweep: grid not a number",
                box => ["sweep", Sample(Fig2a), "--grid", "theta=abc", "--t1", "0.1", "-o", box.Path("out")],
                ExitCodes.Usage,
                "--grid",
                "'abc'"
            ),
            new(
                "sweep: jobs zero",
                box =>
                    ["sweep", Sample(Fig2a), "--grid", "theta=1", "--jobs", "0", "--t1", "0.1", "-o", box.Path("out")],
                ExitCodes.Usage,
                "--jobs"
            ),
            // ---- model files ----
            new("model: a directory", box => ["show", box.Directory("model.stlp")], ExitCodes.ModelError, "model.stlp"),
            new("model: no such file", box => ["show", box.Path("none.stlp")], ExitCodes.ModelError, "none.stlp"),
            new(
                "model: control characters are escaped",
                box => ["show", box.Write("c.stlp", "model c\ncoord x\u001b[2J mass 1\n")],
                ExitCodes.ModelError,
                "c.stlp"
            ),
            // ---- hand kernels for stlp check --hand ----
            new(
                "hand: does not compile",
                box =>
                    [
                        "check",
                        Sample(Fig2a),
                        "--n",
                        "4",
                        "--hand",
                        Hand(box, "    public int Broken => undefinedName;"),
                    ],
                ExitCodes.ModelError,
                "Hand.cs(9,",
                "CS0103"
            ),
            new(
                "hand: throws in its constructor",
                box =>
                    [
                        "check",
                        Sample(Fig2a),
                        "--n",
                        "4",
                        "--hand",
                        Hand(
                            box,
                            "    public Hand() { throw new InvalidOperationException(\"no hands\"); }\n"
                                + Evaluate
                                + " { varpi = 1; }"
                        ),
                    ],
                ExitCodes.ModelError,
                "Hand",
                "no hands"
            ),
            new(
                "hand: throws in Evaluate",
                box =>
                    [
                        "check",
                        Sample(Fig2a),
                        "--n",
                        "4",
                        "--hand",
                        Hand(box, Evaluate + " { throw new NotImplementedException(\"later\"); }"),
                    ],
                ExitCodes.ModelError,
                "Hand.cs",
                "Evaluate",
                "later"
            ),
            new(
                "hand: writes past its arrays",
                box =>
                    [
                        "check",
                        Sample(Fig2a),
                        "--n",
                        "4",
                        "--hand",
                        Hand(box, Evaluate + " { varpi = 1; qddot[5] = 0; }"),
                    ],
                ExitCodes.ModelError,
                "Hand.cs",
                "Evaluate"
            ),
            new(
                "hand: the wrong sizes",
                box =>
                    [
                        "check",
                        Sample(Fig2a),
                        "--n",
                        "4",
                        "--hand",
                        box.Write(
                            "Hand.cs",
                            File.ReadAllText(Sample("hand/Fig2aKernel.cs"))
                                .Replace("CoordinateCount => 2", "CoordinateCount => 3")
                        ),
                    ],
                ExitCodes.ModelError,
                "Hand.cs",
                "3 coordinates"
            ),
            new(
                "hand: no kernel class",
                box =>
                    ["check", Sample(Fig2a), "--n", "4", "--hand", box.Write("Hand.cs", "public class NotAKernel { }")],
                ExitCodes.ModelError,
                "Hand",
                "IKernel"
            ),
            new(
                "hand: no such file",
                box => ["check", Sample(Fig2a), "--n", "4", "--hand", box.Path("Missing.cs")],
                ExitCodes.Usage,
                "Missing.cs"
            ),
            // ---- numerical failures, named by cause ----
            new(
                "numerical: a loss divided by zero at the start",
                box => ["run", Fig2aWith(box, "loss", "loss (x - 3)^2/(2*t)"), "-o", box.Path("out")],
                ExitCodes.NumericalFailure,
                "m.stlp",
                "t = 0",
                "f~",
                "'x'"
            ),
            new(
                "numerical: a dissipation zero at the start",
                box => ["run", Fig2aWith(box, "dissipation", "dissipation t"), "-o", box.Path("out")],
                ExitCodes.NumericalFailure,
                "m.stlp",
                "t = 0",
                "varpi"
            ),
            new(
                "numerical: a loss divided by zero during the run, by coordinate name",
                box =>
                    [
                        "run",
                        Fig2aWith(box, "loss", "loss (x - 3)^2/(2*(t - 0.5))"),
                        "--method",
                        "rk4",
                        "--t1",
                        "1",
                        "-o",
                        box.Path("out"),
                    ],
                ExitCodes.NumericalFailure,
                "m.stlp",
                "t = 0.5",
                "'x'"
            ),
            new(
                "numerical: dependent constraints are named",
                box =>
                    [
                        "run",
                        box.Write(
                            "dep.stlp",
                            "model dep\ncoord x mass 1 init 0\ncoord y mass 1 init 0\n"
                                + "constraint a: x - y = 0\nconstraint b: 2*x - 2*y = 0\n"
                                + "dissipation exp(t)\nloss (x - 1)^2/2\nsimulate from 0 to 1\n"
                        ),
                        "-o",
                        box.Path("out"),
                    ],
                ExitCodes.ModelError,
                "dep.stlp",
                "'b'"
            ),
        ];

    private static readonly Dictionary<string, Case> ByName = All.ToDictionary(c => c.Name);

    public static TheoryData<string> Names => [.. ByName.Keys];

    [Fact]
    public void TheCorpusHasAtLeastSixtyCases() => Assert.True(ByName.Count >= 60, $"{ByName.Count} cases");

    [Theory]
    [MemberData(nameof(Names))]
    public void FailsCleanlyAndSaysWhere(string name)
    {
        var c = ByName[name];
        using var box = new Sandbox();
        var (code, _, error) = Cli.Run(c.Arguments(box));
        Assert.True(code == c.Code, $"exit {code}, expected {c.Code}; stderr:\n{error}");
        foreach (var said in c.Says)
        {
            Assert.True(error.Contains(said, StringComparison.Ordinal), $"stderr lacks '{said}':\n{error}");
        }
        AssertClean(error);
        Assert.True(
            error.Length < 4000,
            $"stderr is {error.Length} characters:\n{error[..Math.Min(4000, error.Length)]}"
        );
    }

    [Fact]
    public void AnOverflowingResultIsStillValidJson()
    {
        using var box = new Sandbox();
        var state = box.Write(
            "s.json",
            """{"t": 1e308, "q": {"x": 1e308, "w": 1e308}, "qdot": {"x": 1e308, "w": -1e308}}"""
        );
        var (code, output, error) = Cli.Run("eval", Sample(Fig2a), "--state", state, "--interpreted");
        Assert.Equal(ExitCodes.Ok, code);
        AssertClean(error);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal(System.Text.Json.JsonValueKind.Object, json.RootElement.ValueKind);
    }
}

/// <summary>A fresh temporary folder for one case, removed after it.</summary>
public sealed class Sandbox : IDisposable
{
    public string Root { get; } =
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"stlp-corpus-{Guid.NewGuid():N}");

    public Sandbox() => System.IO.Directory.CreateDirectory(Root);

    public string Path(string name) => System.IO.Path.Combine(Root, name);

    public string Write(string name, string text)
    {
        File.WriteAllText(Path(name), text);
        return Path(name);
    }

    public string Directory(string name) => System.IO.Directory.CreateDirectory(Path(name)).FullName;

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException) { }
    }
}
