using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Stlp.Ir;
using Stlp.Model;

namespace Stlp.Codegen;

/// <summary>
/// Writes the C# source of a kernel from an IR program: readable, deterministic (one program,
/// one byte-identical source), fast. Inputs are unpacked into named locals; each output group
/// (G, Gdot, varpi, H~, A and b of the multiplier equation, the multipliers, the accelerations)
/// comes under a comment naming its equation, right after the temporaries it is the first to
/// need; constants are literals. User names appear only in comments, reduced to printable ASCII,
/// so a model cannot inject code; generated names (<c>tmp_12</c>, <c>q_3</c>, <c>shared[12]</c>)
/// cannot be confused with one another or with the time <c>t</c>. Code that would not fit one
/// method the JIT optimizes (<see cref="MethodCost.FitsOneMethod"/>) is split into methods that
/// pass values through a work array. Knows nothing of Roslyn.
/// </summary>
public static class KernelEmitter
{
    public const string GeneratorVersion = "Stlp.Codegen 2.0";

    /// <summary>
    /// Up to this many temporaries the Jacobian is generated as forward-mode tangent code; beyond,
    /// the tangent code would double a compile that is already long, and the Jacobian is taken by
    /// central differences of the kernel (2n evaluations).
    /// </summary>
    public const int TangentLimit = 2000;

    /// <summary>Multiplier systems up to this size get a fully unrolled Cholesky (in one-method kernels).</summary>
    public const int UnrolledCholeskyLimit = 6;

    /// <summary>The prefix of every temporary's local: no input local or other generated name starts with it.</summary>
    public const string TemporaryPrefix = "tmp_";

    private const string Parameters =
        "double t, ReadOnlySpan<double> q, ReadOnlySpan<double> qdot, ReadOnlySpan<double> p, "
        + "ReadOnlySpan<double> s, Span<double> qddot, Span<double> lambdaNormalized, Span<double> g, Span<double> gdot";

    private const string Arguments = "t, q, qdot, p, s, qddot, lambdaNormalized, g, gdot";

    private const string PrimalParameters =
        "double t, ReadOnlySpan<double> q, ReadOnlySpan<double> qdot, ReadOnlySpan<double> p, ReadOnlySpan<double> s";

    private const string PivotMessage =
        "non-positive pivot of the multiplier matrix G_q H^-1 G_q' (constraints dependent)";

    /// <summary>A user name made safe for a // comment: printable ASCII only.</summary>
    public static string CommentSafe(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            sb.Append(c is >= ' ' and <= '~' ? c : '?');
        }
        return sb.ToString();
    }

    /// <summary>A double as a C# literal that reads back to the same value; negatives in parentheses.</summary>
    public static string Literal(double x)
    {
        if (double.IsNaN(x))
        {
            return "double.NaN";
        }
        if (double.IsInfinity(x))
        {
            return x > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity";
        }
        var s = x.ToString("R", CultureInfo.InvariantCulture);
        if (!s.Contains('.') && !s.Contains('E'))
        {
            s += ".0";
        }
        return x < 0 ? $"({s})" : s;
    }

    /// <summary>The source of the kernel class <c>Stlp.Generated.Kernel</c> of a program.</summary>
    public static string Emit(IrProgram p)
    {
        var body = new StringBuilder();
        var layout = Layout.Of(p);
        var tangentCode = p.IsHDiagonal && p.Instructions.Length <= TangentLimit;

        // One method if it fits, with the Cholesky unrolled for small multiplier systems; else
        // methods of a budgeted size, temporaries passed between them through a work array.
        var single = new Writer(p, layout, split: false);
        var lines = single.EvaluateLines(unrolled: p.IsHDiagonal && p.R <= UnrolledCholeskyLimit);
        var split = !MethodSplitter.Total(lines, single.ExtraCost).FitsOneMethod;
        var writer = single;
        if (split)
        {
            writer = new Writer(p, layout, split: true);
            lines = writer.EvaluateLines(unrolled: false);
        }
        var unrolled = !split && p.IsHDiagonal && p.R <= UnrolledCholeskyLimit;

        // ---- the class ----
        var fields = new List<string>();
        List<List<CodeLine>> parts = split ? MethodSplitter.Split(lines, writer.ExtraCost) : [lines];
        var sharedSlots = split ? Writer.SharedSlots(parts) : new SortedSet<int>();
        if (split)
        {
            fields.Add("private double varpiValue;");
            // Read through a pinned pointer in each method: no bounds checks.
            fields.Add($"private readonly double[] work = new double[{p.Instructions.Length}];");
        }
        if (tangentCode)
        {
            fields.Add($"private readonly double[] w = new double[{p.Instructions.Length}];");
            fields.Add($"private readonly double[] dw = new double[{p.Instructions.Length}];");
            fields.Add($"private readonly DiagonalJacobian jacobianAssembly = {AssemblyText(p)};");
            fields.Add($"private readonly double[] jQddot = new double[{p.N}];");
            fields.Add($"private readonly double[] jLambda = new double[{p.R}];");
            fields.Add($"private readonly double[] jG = new double[{p.R}];");
            fields.Add($"private readonly double[] jGdot = new double[{p.R}];");
        }
        if (p.IsHDiagonal && !unrolled)
        {
            fields.Add($"private readonly double[] hdiag = new double[{p.N}];");
            fields.Add($"private readonly double[] hinv = new double[{p.N}];");
            fields.Add($"private readonly double[] a = new double[{p.R * p.R}];");
            fields.Add($"private readonly double[] lam = new double[{p.R}];");
        }
        if (!p.IsHDiagonal)
        {
            fields.Add($"private readonly double[] hDense = new double[{p.N * p.N}];");
            fields.Add($"private readonly double[] gqDense = new double[{p.R * p.N}];");
            fields.Add($"private readonly double[] fVector = new double[{p.N}];");
            fields.Add($"private readonly double[] gammaVector = new double[{p.R}];");
        }

        body.AppendLine("namespace Stlp.Generated");
        body.AppendLine("{");
        body.AppendLine("    using System;");
        body.AppendLine("    using Stlp.Runtime.Kernels;");
        body.AppendLine();
        body.AppendLine(
            "    /// <summary>The constrained Euler-Lagrange system of one model (docs/equations.md §2-3).</summary>"
        );
        body.AppendLine("    public sealed class Kernel : IJacobianKernel");
        body.AppendLine("    {");
        foreach (var line in fields)
        {
            body.AppendLine($"        {line}");
        }
        if (fields.Count > 0)
        {
            body.AppendLine();
        }
        body.AppendLine($"        public int CoordinateCount => {p.N};");
        body.AppendLine($"        public int ConstraintCount => {p.R};");
        body.AppendLine($"        public int ParameterCount => {p.ParameterNames.Length};");
        body.AppendLine($"        public int SignalCount => {p.SignalInputs.Length};");
        body.AppendLine();
        body.AppendLine($"        public void Evaluate({Parameters}, out double varpi)");
        body.AppendLine("        {");
        if (split)
        {
            for (var k = 0; k < parts.Count; k++)
            {
                body.AppendLine($"            Part{k}({Arguments});");
            }
            body.AppendLine("            varpi = varpiValue;");
            body.AppendLine("        }");
            for (var k = 0; k < parts.Count; k++)
            {
                body.AppendLine();
                body.AppendLine($"        private unsafe void Part{k}({Parameters})");
                body.AppendLine("        {");
                body.AppendLine("            fixed (double* shared = work)");
                body.AppendLine("            {");
                writer.AppendMethodBody(body, parts[k], sharedSlots, "                ");
                body.AppendLine("            }");
                body.AppendLine("        }");
            }
        }
        else
        {
            writer.AppendMethodBody(body, lines, sharedSlots, "            ");
            body.AppendLine("        }");
        }
        if (p.IsHDiagonal && !unrolled)
        {
            AppendSolve(p, body);
        }
        EmitJacobian(p, tangentCode, body);
        body.AppendLine("    }");
        body.AppendLine("}");

        // The same bytes on every platform (AppendLine writes Environment.NewLine).
        var text = body.ToString().ReplaceLineEndings("\n");
        var header = new StringBuilder();
        header.AppendLine("// <auto-generated/>");
        header.AppendLine($"// Kernel for model: {CommentSafe(p.ModelName)}");
        header.AppendLine($"// Content hash: {ContentHash(text)}");
        header.AppendLine($"// Generator: {GeneratorVersion}");
        header.AppendLine(
            $"// {p.N} coordinates, {p.R} constraints, {p.Instructions.Length} temporaries, H {(p.IsHDiagonal ? "diagonal" : "dense")}"
                + (split ? $", {parts.Count} methods." : ".")
        );
        for (var i = 0; i < p.N; i++)
        {
            header.AppendLine($"//   q[{i}] = {CommentSafe(p.CoordinateNames[i])}");
        }
        for (var j = 0; j < p.R; j++)
        {
            header.AppendLine($"//   constraint {j} = {CommentSafe(p.ConstraintNames[j])}");
        }
        for (var k = 0; k < p.ParameterNames.Length; k++)
        {
            header.AppendLine($"//   p[{k}] = {CommentSafe(p.ParameterNames[k])}");
        }
        for (var k = 0; k < p.SignalInputs.Length; k++)
        {
            var (name, order) = p.SignalInputs[k];
            header.AppendLine($"//   s[{k}] = {CommentSafe(name)}{new string('\'', order)}(t)");
        }
        header.AppendLine("#nullable enable");
        return header.ToString().ReplaceLineEndings("\n") + text;
    }

    public static string ContentHash(string text) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16].ToLowerInvariant();

    /// <summary>
    /// Which instructions Evaluate computes and the output group that first needs each (the
    /// temporaries are written just before the first group that reads them).
    /// </summary>
    private sealed class Layout
    {
        public required int[] Group { get; init; }

        public static Layout Of(IrProgram p)
        {
            var group = Enumerable.Repeat(-1, p.Instructions.Length).ToArray();
            var roots = GroupRoots(p);
            for (var k = 0; k < roots.Length; k++)
            {
                var pending = new Stack<int>(roots[k]);
                while (pending.Count > 0)
                {
                    var i = pending.Pop();
                    if (group[i] < 0)
                    {
                        group[i] = k;
                        foreach (var a in p.Instructions[i].Args)
                        {
                            pending.Push(a);
                        }
                    }
                }
            }
            return new Layout { Group = group };
        }

        /// <summary>The outputs of each group, in the order <see cref="Writer.EvaluateLines"/> writes the groups.</summary>
        public static int[][] GroupRoots(IrProgram p) =>
            p.IsHDiagonal
                ?
                [
                    p.G,
                    p.Gdot,
                    [p.Varpi],
                    [.. p.HNorm.Select(e => e.Slot)],
                    [.. p.A.Select(e => e.Slot)],
                    p.B,
                    [.. p.FNorm.Concat(p.Gq.Select(e => e.Slot))],
                ]
                :
                [
                    p.G,
                    p.Gdot,
                    [p.Varpi],
                    [.. p.HNorm.Select(e => e.Slot)],
                    [.. p.Gq.Select(e => e.Slot)],
                    p.FNorm,
                    p.Gamma,
                ];
    }

    /// <summary>The lines of Evaluate, and how to write them out as one method or as parts.</summary>
    private sealed class Writer(IrProgram p, Layout layout, bool split)
    {
        private readonly Instruction[] code = p.Instructions;

        /// <summary>A temporary read: a local; estimated as a shared slot when the code is split.</summary>
        private MethodCost Read => split ? MethodCost.ElementAccess : MethodCost.LocalRead;

        /// <summary>Arrays the output lines write (fields) cost an element access each.</summary>
        private static MethodCost Store => MethodCost.ElementAccess;

        /// <summary>What a method pays to read an input: unpacking it into a local at its top.</summary>
        public MethodCost ExtraCost(int slot) =>
            IsUnpacked(slot) ? MethodCost.SpanAccess + MethodCost.LocalStore : MethodCost.Zero;

        private bool IsUnpacked(int slot) => code[slot].Op == OpCode.Input && code[slot].InputKind != InputKind.Time;

        private bool IsValue(int slot) => code[slot].Op is not (OpCode.Constant or OpCode.Input);

        /// <summary>The temporaries a line reads: inputs (to unpack) and computed values, not constants.</summary>
        private int[] Uses(IEnumerable<int> slots) =>
            [
                .. slots
                    .Where(s => code[s].Op != OpCode.Constant && !(code[s].Op == OpCode.Input && !IsUnpacked(s)))
                    .Distinct(),
            ];

        private MethodCost OperandCost(int slot) =>
            code[slot].Op switch
            {
                OpCode.Constant => MethodCost.ConstantRead,
                OpCode.Input => MethodCost.LocalRead,
                _ => Read,
            };

        private CodeLine Output(string target, int slot, MethodCost targetCost, string comment = "") =>
            new(
                r => $"{target} = {Operand(r(slot), true)};{(comment.Length > 0 ? " // " + comment : "")}",
                -1,
                Uses([slot]),
                targetCost + OperandCost(slot)
            );

        private CodeLine Define(int i)
        {
            var ins = code[i];
            var cost = MethodCost.LocalStore;
            foreach (var a in ins.Args)
            {
                cost += OperandCost(a);
            }
            cost += ins.Op switch
            {
                OpCode.Call => MethodCost.Call,
                OpCode.Sqrt or OpCode.Pow => MethodCost.Call,
                OpCode.PowInt => MethodCost.Call + MethodCost.LocalRead + MethodCost.LocalRead,
                OpCode.Square => MethodCost.Operator + MethodCost.LocalRead,
                OpCode.Reciprocal => MethodCost.Operator + MethodCost.ConstantRead,
                _ => new MethodCost(Math.Max(1, ins.Args.Length - 1), Math.Max(1, ins.Args.Length - 1), 0, 0, 0),
            };
            if (split)
            {
                cost += MethodCost.ElementAccess; // its store to the work array, when shared
            }
            return new(r => $"double {TemporaryPrefix}{i} = {Expression(ins, r)};", i, Uses(ins.Args), cost);
        }

        /// <summary>The temporaries of group k (its first use), one per line, in topological order.</summary>
        private IEnumerable<CodeLine> Temporaries(int k)
        {
            for (var i = 0; i < code.Length; i++)
            {
                if (layout.Group[i] == k && IsValue(i))
                {
                    yield return Define(i);
                }
            }
        }

        private static CodeLine Statement(string text, MethodCost cost) => CodeLine.Fixed(text, cost);

        private static IEnumerable<CodeLine> Heading(string comment) =>
            [CodeLine.Comment(""), CodeLine.Comment(comment)];

        public List<CodeLine> EvaluateLines(bool unrolled)
        {
            var lines = new List<CodeLine>();
            lines.AddRange(Heading("G(t, q): the constraint residuals."));
            lines.AddRange(Temporaries(0));
            for (var j = 0; j < p.R; j++)
            {
                lines.Add(Output($"g[{j}]", p.G[j], MethodCost.SpanAccess, $"G[{CommentSafe(p.ConstraintNames[j])}]"));
            }
            lines.AddRange(Heading("Gdot = G_t + G_q qdot."));
            lines.AddRange(Temporaries(1));
            for (var j = 0; j < p.R; j++)
            {
                lines.Add(Output($"gdot[{j}]", p.Gdot[j], MethodCost.SpanAccess));
            }
            lines.AddRange(Heading("varpi(t), the dissipation: lambda = varpi lambda~ (docs/equations.md §3)."));
            lines.AddRange(Temporaries(2));
            lines.Add(Output(split ? "varpiValue" : "varpi", p.Varpi, Store));
            if (!p.IsHDiagonal)
            {
                DenseLines(lines);
            }
            else if (unrolled)
            {
                UnrolledLines(lines);
            }
            else
            {
                ArrayLines(lines);
            }
            return lines;
        }

        private void UnrolledLines(List<CodeLine> s)
        {
            var n = p.N;
            var m = p.R;
            s.AddRange(Heading("H~ = H / varpi, diagonal (docs/equations.md §3): its inverse; it must be positive."));
            s.AddRange(Temporaries(3));
            var unitMass = new HashSet<int>();
            foreach (var e in p.HNorm)
            {
                var slot = e.Slot;
                // A positive constant needs no check; a 1 (x * 1.0 == x) no inverse either.
                if (code[slot].Op == OpCode.Constant && code[slot].Value > 0.0)
                {
                    if (code[slot].Value == 1.0)
                    {
                        unitMass.Add(e.Row);
                    }
                    else
                    {
                        s.Add(
                            Statement(
                                $"const double hinv_{e.Row} = {Literal(1.0 / code[slot].Value)};",
                                MethodCost.Zero
                            )
                        );
                    }
                    continue;
                }
                s.Add(
                    new(
                        r =>
                            $"if (!({Operand(r(slot), true)} > 0.0)) throw new NumericalFailure(t, \"H~[{e.Row}]\", \"not positive\");",
                        -1,
                        Uses([slot]),
                        MethodCost.Check + OperandCost(slot)
                    )
                );
                s.Add(
                    new(
                        r => $"double hinv_{e.Row} = 1.0 / {r(slot)};",
                        -1,
                        Uses([slot]),
                        MethodCost.LocalStore + MethodCost.ConstantRead + OperandCost(slot)
                    )
                );
            }
            s.AddRange(Heading("A = G_q H~^-1 G_q' of the multiplier equation A lambda~ = b (MULT), lower triangle."));
            s.AddRange(Temporaries(4));
            var a = new Dictionary<(int, int), int>();
            foreach (var e in p.A)
            {
                a[(e.Column, e.Row)] = e.Slot;
            }
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    if (a.TryGetValue((i, j), out var slot))
                    {
                        s.Add(Output($"double a_{i}_{j}", slot, MethodCost.LocalStore));
                    }
                    else
                    {
                        s.Add(Statement($"double a_{i}_{j} = 0.0;", MethodCost.LocalStore + MethodCost.ConstantRead));
                    }
                }
            }
            s.AddRange(Heading("b = G_q H~^-1 f~ + gamma of the multiplier equation."));
            s.AddRange(Temporaries(5));
            for (var j = 0; j < m; j++)
            {
                s.Add(Output($"double b_{j}", p.B[j], MethodCost.LocalStore));
            }
            s.AddRange(
                Heading("Multipliers: A lambda~ = b by Cholesky A = L L', unrolled, then the two triangular solves.")
            );
            var flops = new MethodCost(8, 4, 3, 0, 1);
            for (var j = 0; j < m; j++)
            {
                var d = new StringBuilder($"a_{j}_{j}");
                for (var k = 0; k < j; k++)
                {
                    d.Append($" - l_{j}_{k} * l_{j}_{k}");
                }
                s.Add(Statement($"double d_{j} = {d};", flops));
                s.Add(
                    Statement(
                        $"if (!(d_{j} > DenseCholesky.RelativePivot * a_{j}_{j})) throw new NumericalFailure(t, \"A[{j},{j}]\", \"{PivotMessage}\");",
                        MethodCost.Check
                    )
                );
                s.Add(Statement($"d_{j} = Math.Sqrt(d_{j});", flops));
                s.Add(Statement($"double l_{j}_{j} = d_{j};", flops));
                for (var i = j + 1; i < m; i++)
                {
                    var v = new StringBuilder($"a_{i}_{j}");
                    for (var k = 0; k < j; k++)
                    {
                        v.Append($" - l_{i}_{k} * l_{j}_{k}");
                    }
                    s.Add(Statement($"double l_{i}_{j} = {Grouped(v)} / d_{j};", flops));
                }
            }
            for (var i = 0; i < m; i++)
            {
                var v = new StringBuilder($"b_{i}");
                for (var k = 0; k < i; k++)
                {
                    v.Append($" - l_{i}_{k} * y_{k}");
                }
                s.Add(Statement($"double y_{i} = {Grouped(v)} / l_{i}_{i};", flops));
            }
            for (var i = m - 1; i >= 0; i--)
            {
                var v = new StringBuilder($"y_{i}");
                for (var k = i + 1; k < m; k++)
                {
                    v.Append($" - l_{k}_{i} * lambda_{k}");
                }
                s.Add(Statement($"double lambda_{i} = {Grouped(v)} / l_{i}_{i};", flops));
            }
            for (var j = 0; j < m; j++)
            {
                s.Add(
                    Statement(
                        $"lambdaNormalized[{j}] = lambda_{j}; // lambda~[{CommentSafe(p.ConstraintNames[j])}]",
                        MethodCost.SpanAccess
                    )
                );
            }
            s.AddRange(Heading("Accelerations: qddot = H~^-1 (f~ - G_q' lambda~) (EL)."));
            s.AddRange(Temporaries(6));
            var byCoordinate = p.Gq.GroupBy(e => e.Column).ToDictionary(g => g.Key, g => g.ToList());
            for (var i = 0; i < n; i++)
            {
                var row = byCoordinate.GetValueOrDefault(i) ?? [];
                var f = p.FNorm[i];
                var coordinate = i;
                var cost = MethodCost.SpanAccess + OperandCost(f) + MethodCost.LocalRead + MethodCost.Operator;
                foreach (var e in row)
                {
                    cost += OperandCost(e.Slot) + MethodCost.LocalRead + MethodCost.Operator + MethodCost.Operator;
                }
                s.Add(
                    new(
                        r =>
                        {
                            var v = new StringBuilder(Operand(r(f), true));
                            foreach (var e in row)
                            {
                                v.Append($" - {Times(r(e.Slot), $"lambda_{e.Row}")}");
                            }
                            var scaled = unitMass.Contains(coordinate)
                                ? v.ToString()
                                : $"{Grouped(v)} * hinv_{coordinate}";
                            return $"qddot[{coordinate}] = {scaled}; // {CommentSafe(p.CoordinateNames[coordinate])}''";
                        },
                        -1,
                        Uses(row.Select(e => e.Slot).Prepend(f)),
                        cost
                    )
                );
            }
        }

        private void ArrayLines(List<CodeLine> s)
        {
            s.AddRange(
                Heading("H~ = H / varpi, diagonal (docs/equations.md §3); Solve checks it is positive and inverts it.")
            );
            s.AddRange(Temporaries(3));
            foreach (var e in p.HNorm)
            {
                s.Add(Output($"hdiag[{e.Row}]", e.Slot, Store));
            }
            s.AddRange(Heading("A = G_q H~^-1 G_q' of the multiplier equation A lambda~ = b (MULT), lower triangle."));
            s.Add(Statement("Array.Clear(a);", MethodCost.Call + MethodCost.LocalRead));
            s.AddRange(Temporaries(4));
            foreach (var e in p.A)
            {
                s.Add(Output($"a[{e.Column * p.R + e.Row}]", e.Slot, Store));
            }
            s.AddRange(Heading("b = G_q H~^-1 f~ + gamma of the multiplier equation."));
            s.AddRange(Temporaries(5));
            for (var j = 0; j < p.R; j++)
            {
                s.Add(Output($"lam[{j}]", p.B[j], Store));
            }
            s.AddRange(Heading("Multipliers: A lambda~ = b."));
            s.Add(Statement("Solve(t);", MethodCost.Call + MethodCost.LocalRead + MethodCost.LocalRead));
            s.Add(
                Statement(
                    "lam.AsSpan().CopyTo(lambdaNormalized);",
                    MethodCost.Call + MethodCost.Call + MethodCost.LocalRead + MethodCost.LocalRead
                )
            );
            s.AddRange(Heading("Accelerations: qddot = H~^-1 (f~ - G_q' lambda~) (EL)."));
            s.AddRange(Temporaries(6));
            var byCoordinate = p.Gq.GroupBy(e => e.Column).ToDictionary(g => g.Key, g => g.ToList());
            for (var i = 0; i < p.N; i++)
            {
                var row = byCoordinate.GetValueOrDefault(i) ?? [];
                var f = p.FNorm[i];
                var coordinate = i;
                var cost = MethodCost.SpanAccess + OperandCost(f) + Store + MethodCost.Operator;
                foreach (var e in row)
                {
                    cost += OperandCost(e.Slot) + Store + MethodCost.Operator + MethodCost.Operator;
                }
                s.Add(
                    new(
                        r =>
                        {
                            var v = new StringBuilder(Operand(r(f), true));
                            foreach (var e in row)
                            {
                                v.Append($" - {Times(r(e.Slot), $"lam[{e.Row}]")}");
                            }
                            return $"qddot[{coordinate}] = ({v}) * hinv[{coordinate}];";
                        },
                        -1,
                        Uses(row.Select(e => e.Slot).Prepend(f)),
                        cost
                    )
                );
            }
        }

        private void DenseLines(List<CodeLine> s)
        {
            s.AddRange(Heading("H~ = H / varpi, not diagonal (F depends on velocities): dense."));
            s.Add(Statement("Array.Clear(hDense);", MethodCost.Call + MethodCost.LocalRead));
            s.AddRange(Temporaries(3));
            foreach (var e in p.HNorm)
            {
                s.Add(Output($"hDense[{e.Row * p.N + e.Column}]", e.Slot, Store));
            }
            s.AddRange(Heading("G_q, dense."));
            s.Add(Statement("Array.Clear(gqDense);", MethodCost.Call + MethodCost.LocalRead));
            s.AddRange(Temporaries(4));
            foreach (var e in p.Gq)
            {
                s.Add(Output($"gqDense[{e.Row * p.N + e.Column}]", e.Slot, Store));
            }
            s.AddRange(Heading("f~."));
            s.AddRange(Temporaries(5));
            for (var i = 0; i < p.N; i++)
            {
                s.Add(Output($"fVector[{i}]", p.FNorm[i], Store));
            }
            s.AddRange(Heading("gamma."));
            s.AddRange(Temporaries(6));
            for (var j = 0; j < p.R; j++)
            {
                s.Add(Output($"gammaVector[{j}]", p.Gamma[j], Store));
            }
            s.AddRange(
                Heading(
                    "Multipliers and accelerations: (G_q H~^-1 G_q') lambda~ = G_q H~^-1 f~ + gamma (MULT); qddot = H~^-1 (f~ - G_q' lambda~) (EL)."
                )
            );
            s.Add(
                Statement(
                    $"DenseMultipliers.Solve(t, {p.N}, {p.R}, hDense, gqDense, fVector, gammaVector, qddot, lambdaNormalized);",
                    new MethodCost(60, 14, 10, 0, 0)
                )
            );
        }

        /// <summary>Temporaries read in a part other than the one that computes them: they go through the work array.</summary>
        public static SortedSet<int> SharedSlots(List<List<CodeLine>> parts)
        {
            var home = new Dictionary<int, int>();
            for (var k = 0; k < parts.Count; k++)
            {
                foreach (var line in parts[k].Where(l => l.Defines >= 0))
                {
                    home[line.Defines] = k;
                }
            }
            var shared = new SortedSet<int>();
            for (var k = 0; k < parts.Count; k++)
            {
                foreach (var u in parts[k].SelectMany(l => l.Uses))
                {
                    if (home.TryGetValue(u, out var h) && h != k)
                    {
                        shared.Add(u);
                    }
                }
            }
            return shared;
        }

        /// <summary>One method's statements: its inputs unpacked into named locals, then its lines.</summary>
        public void AppendMethodBody(StringBuilder body, List<CodeLine> lines, SortedSet<int> shared, string indent)
        {
            var local = new HashSet<int>(lines.Where(l => l.Defines >= 0).Select(l => l.Defines));
            var inputs = lines
                .SelectMany(l => l.Uses)
                .Where(IsUnpacked)
                .Distinct()
                .OrderBy(i => code[i].InputKind)
                .ThenBy(i => code[i].InputIndex)
                .ToList();
            if (inputs.Count > 0)
            {
                body.AppendLine($"{indent}// Inputs.");
            }
            foreach (var i in inputs)
            {
                var ins = code[i];
                var (vector, suffix) = ins.InputKind switch
                {
                    InputKind.Coordinate => ("q", ""),
                    InputKind.Velocity => ("qdot", "'"),
                    InputKind.Parameter => ("p", ""),
                    _ => ("s", new string('\'', p.SignalInputs[ins.InputIndex].Order) + "(t)"),
                };
                body.AppendLine(
                    $"{indent}double {InputName(ins)} = {vector}[{ins.InputIndex}]; // {CommentSafe(ins.Name)}{suffix}"
                );
            }
            string Resolve(int slot)
            {
                var ins = code[slot];
                return ins.Op switch
                {
                    OpCode.Constant => Literal(ins.Value),
                    OpCode.Input => InputName(ins),
                    _ => local.Contains(slot) || !split ? $"{TemporaryPrefix}{slot}" : $"shared[{slot}]",
                };
            }
            var first = true;
            foreach (var line in lines)
            {
                var text = line.Text(Resolve);
                if (text.Length == 0 && first && inputs.Count == 0)
                {
                    continue; // no blank line at the top of a method
                }
                first = false;
                body.AppendLine(text.Length == 0 ? "" : indent + text);
                if (line.Defines >= 0 && shared.Contains(line.Defines))
                {
                    body.AppendLine($"{indent}shared[{line.Defines}] = {TemporaryPrefix}{line.Defines};");
                }
            }
        }
    }

    /// <summary>The local an input is unpacked into: q_3, qdot_3, p_0, s_1; the time is the parameter t.</summary>
    private static string InputName(Instruction ins) =>
        ins.InputKind switch
        {
            InputKind.Time => "t",
            InputKind.Coordinate => $"q_{ins.InputIndex}",
            InputKind.Velocity => $"qdot_{ins.InputIndex}",
            InputKind.Parameter => $"p_{ins.InputIndex}",
            _ => $"s_{ins.InputIndex}",
        };

    /// <summary>a * b, or b when a is the literal 1 (multiplying by 1.0 changes no value).</summary>
    private static string Times(string a, string b) => a == "1.0" ? b : $"{a} * {b}";

    /// <summary>A difference in parentheses; a single term as it is.</summary>
    private static string Grouped(StringBuilder v)
    {
        var text = v.ToString();
        return text.Contains(" - ", StringComparison.Ordinal) ? $"({text})" : text;
    }

    /// <summary>An operand: a negative literal first in an expression needs no parentheses.</summary>
    private static string Operand(string text, bool first) =>
        first && text.StartsWith("(-", StringComparison.Ordinal) ? text[1..^1] : text;

    /// <summary>The right-hand side of an instruction, its operands written by <paramref name="r"/>.</summary>
    internal static string Expression(Instruction ins, Func<int, string> r)
    {
        var a = ins.Args;
        string Join(string op) => string.Join(op, a.Select((x, k) => Operand(r(x), k == 0)));
        return ins.Op switch
        {
            OpCode.Constant => Literal(ins.Value),
            OpCode.Input => ins.InputKind switch
            {
                InputKind.Time => "t",
                InputKind.Coordinate => $"q[{ins.InputIndex}]",
                InputKind.Velocity => $"qdot[{ins.InputIndex}]",
                InputKind.Parameter => $"p[{ins.InputIndex}]",
                _ => $"s[{ins.InputIndex}]",
            },
            OpCode.Add => Join(" + "),
            // -1.0 * x * y is written -x * y: the same value (a sign flip is exact).
            OpCode.Mul when a.Length > 2 && r(a[0]) == "(-1.0)" => "-"
                + string.Join(" * ", a.Skip(1).Select(x => r(x))),
            OpCode.Mul => Join(" * "),
            OpCode.Subtract => Join(" - "),
            OpCode.Negate => $"-{r(a[0])}",
            OpCode.Divide => $"{Operand(r(a[0]), true)} / {r(a[1])}",
            OpCode.Square => $"{r(a[0])} * {r(a[0])}",
            OpCode.Reciprocal => $"1.0 / {r(a[0])}",
            OpCode.Sqrt => $"Math.Sqrt({r(a[0])})",
            OpCode.PowInt => PowText(r(a[0]), (int)ins.Value),
            OpCode.Pow => $"Math.Pow({Operand(r(a[0]), true)}, {Operand(r(a[1]), true)})",
            OpCode.Call => string.Format(
                CultureInfo.InvariantCulture,
                Functions.find(ins.Name).CSharp,
                a.Select(x => Operand(r(x), true)).Cast<object>().ToArray()
            ),
            _ => throw new InvalidOperationException($"unknown operation {ins.Op}"),
        };
    }

    /// <summary>x^k as <see cref="Interpreter.PowInt"/> computes it.</summary>
    private static string PowText(string x, int k) =>
        k switch
        {
            2 => $"{x} * {x}",
            3 => $"{x} * {x} * {x}",
            _ => $"Math.Pow({x}, {Literal(k)})",
        };

    /// <summary>
    /// The multiplier solve of a kernel whose H~ is diagonal, on the arrays the parts fill: H~
    /// checked and inverted, then A lambda~ = b by an in-place dense Cholesky, as
    /// <see cref="KernelAlgebra"/> does it.
    /// </summary>
    private static void AppendSolve(IrProgram p, StringBuilder body)
    {
        body.AppendLine();
        body.AppendLine("        private void Solve(double t)");
        body.AppendLine("        {");
        body.AppendLine("            // H~ must be positive; its inverse.");
        body.AppendLine($"            for (var i = 0; i < {p.N}; i++)");
        body.AppendLine("            {");
        body.AppendLine("                var h = hdiag[i];");
        body.AppendLine(
            "                if (!(h > 0.0)) throw new NumericalFailure(t, $\"H~[{i}]\", \"not positive\");"
        );
        body.AppendLine("                hinv[i] = 1.0 / h;");
        body.AppendLine("            }");
        body.AppendLine("            // A lambda~ = b by an in-place dense Cholesky.");
        body.AppendLine($"            var pivot = DenseCholesky.Factor(a, {p.R});");
        body.AppendLine(
            $"            if (pivot >= 0) throw new NumericalFailure(t, $\"A[{{pivot}},{{pivot}}]\", \"{PivotMessage}\");"
        );
        body.AppendLine($"            DenseCholesky.Solve(a, {p.R}, lam);");
        body.AppendLine("        }");
    }

    private static string AssemblyText(IrProgram p)
    {
        string Ints(IEnumerable<int> xs) => $"new int[] {{ {string.Join(", ", xs)} }}";
        var hSlot = new int[p.N];
        foreach (var e in p.HNorm)
        {
            hSlot[e.Row] = e.Slot;
        }
        return $"new DiagonalJacobian({p.N}, {p.R}, {Ints(hSlot)}, {Ints(p.FNorm)}, "
            + $"{Ints(p.Gq.Select(e => e.Row))}, {Ints(p.Gq.Select(e => e.Column))}, {Ints(p.Gq.Select(e => e.Slot))}, "
            + $"{Ints(p.A.Select(e => e.Row))}, {Ints(p.A.Select(e => e.Column))}, {Ints(p.A.Select(e => e.Slot))}, "
            + $"{Ints(p.B)})";
    }

    /// <summary>
    /// The Jacobian of the first-order right-hand side: every temporary into w, then per state
    /// direction its forward-mode tangent into dw, assembled by <see cref="DiagonalJacobian"/>.
    /// With a dense H~, or above the tangent limit, central differences (<see cref="FiniteDifferenceJacobian"/>).
    /// Constants are literals here too, and their tangents (and those of t, p and s) zero.
    /// </summary>
    private static void EmitJacobian(IrProgram p, bool tangentCode, StringBuilder body)
    {
        body.AppendLine();
        body.AppendLine("        /// <summary>J = d(qdot, qddot) / d(q, qdot), 2n x 2n, row-major.</summary>");
        body.AppendLine($"        public void Jacobian({PrimalParameters}, Span<double> jacobian)");
        body.AppendLine("        {");
        if (!tangentCode)
        {
            body.AppendLine("            FiniteDifferenceJacobian.Compute(this, t, q, qdot, p, s, jacobian);");
            body.AppendLine("        }");
            return;
        }
        var code = p.Instructions;
        bool Constant(int j) => code[j].Op == OpCode.Constant;
        var dependent = Tangents.StateDependent(p);
        string W(int j) => Constant(j) ? Literal(code[j].Value) : $"w[{j}]";
        // Every w[j] or dw[j] an element access, every read one operator more, and a call.
        MethodCost Cost(int reads)
        {
            var cost = MethodCost.Call + MethodCost.ElementAccess;
            for (var k = 0; k < reads; k++)
            {
                cost += MethodCost.ElementAccess + MethodCost.Operator;
            }
            return cost;
        }
        int TangentReads(Instruction ins) =>
            ins.Op switch
            {
                OpCode.Mul => ins.Args.Length * ins.Args.Length,
                OpCode.Call => 2 * ins.Args.Length,
                OpCode.Input => 0,
                _ => 3 * ins.Args.Length + 2,
            };
        var outputs = new HashSet<int>(p.OutputSlots);
        var primal = new List<CodeLine>();
        var tangents = new List<CodeLine>();
        for (var i = 0; i < code.Length; i++)
        {
            var ins = code[i];
            if (Constant(i))
            {
                // The assembly reads outputs from w, constants among them.
                if (outputs.Contains(i))
                {
                    primal.Add(CodeLine.Fixed($"w[{i}] = {Literal(ins.Value)};", Cost(0)));
                }
                continue;
            }
            var slot = i;
            primal.Add(CodeLine.Fixed($"w[{i}] = {Expression(ins, W)};", Cost(ins.Args.Length)));
            if (dependent[i])
            {
                var cost = Cost(TangentReads(ins));
                if (ins.Op == OpCode.Input)
                {
                    cost += MethodCost.Check;
                }
                tangents.Add(CodeLine.Fixed($"dw[{i}] = {Tangent(ins, slot, p.N, W, dependent)};", cost));
            }
        }
        var primalParts = MethodSplitter.Split(primal, _ => MethodCost.Zero);
        var tangentParts = MethodSplitter.Split(tangents, _ => MethodCost.Zero);
        body.AppendLine("            Evaluate(t, q, qdot, p, s, jQddot, jLambda, jG, jGdot, out _);");
        for (var c = 0; c < primalParts.Count; c++)
        {
            body.AppendLine($"            Primal{c}(t, q, qdot, p, s);");
        }
        body.AppendLine("            jacobianAssembly.Prepare(t, w, jLambda);");
        body.AppendLine($"            DiagonalJacobian.Identity({p.N}, jacobian);");
        body.AppendLine($"            for (var k = 0; k < {2 * p.N}; k++)");
        body.AppendLine("            {");
        for (var c = 0; c < tangentParts.Count; c++)
        {
            body.AppendLine($"                Tangent{c}(k);");
        }
        body.AppendLine("                jacobianAssembly.Column(w, dw, k, jacobian);");
        body.AppendLine("            }");
        body.AppendLine("        }");
        for (var c = 0; c < primalParts.Count; c++)
        {
            body.AppendLine();
            body.AppendLine("        // Every temporary, into w, for the tangents.");
            body.AppendLine($"        private void Primal{c}({PrimalParameters})");
            body.AppendLine("        {");
            body.AppendLine("            var w = this.w;");
            foreach (var line in primalParts[c])
            {
                body.AppendLine($"            {line.Text(_ => "")}");
            }
            body.AppendLine("        }");
        }
        for (var c = 0; c < tangentParts.Count; c++)
        {
            body.AppendLine();
            body.AppendLine(
                "        // Forward-mode tangents along state direction k (k < n: q[k]; else qdot[k - n])."
            );
            body.AppendLine($"        private void Tangent{c}(int k)");
            body.AppendLine("        {");
            body.AppendLine("            var w = this.w;");
            body.AppendLine("            var dw = this.dw;");
            foreach (var line in tangentParts[c])
            {
                body.AppendLine($"            {line.Text(_ => "")}");
            }
            body.AppendLine("        }");
        }
    }

    /// <summary>The forward-mode tangent of one instruction along direction k, as <see cref="Tangents.Pass"/> computes it.</summary>
    private static string Tangent(Instruction ins, int i, int n, Func<int, string> w, bool[] dependent)
    {
        var a = ins.Args;
        string W(int j) => Operand(w(j), false);
        string D(int j) => $"dw[{j}]";
        // Terms joined by op, those of state-independent arguments left out; a leading minus for
        // a difference whose first term is left out.
        string Terms(string op, Func<int, string> term, bool negateFirst = false)
        {
            var text = new StringBuilder();
            for (var j = 0; j < a.Length; j++)
            {
                if (dependent[a[j]])
                {
                    text.Append(
                            text.Length > 0 ? op
                            : negateFirst && j > 0 ? "-"
                            : ""
                        )
                        .Append(term(j));
                }
            }
            return text.ToString();
        }
        var (d0, d1) = (dependent[a.ElementAtOrDefault(0)], a.Length > 1 && dependent[a[1]]);
        return ins.Op switch
        {
            OpCode.Input when ins.InputKind == InputKind.Coordinate => $"k == {ins.InputIndex} ? 1.0 : 0.0",
            OpCode.Input when ins.InputKind == InputKind.Velocity => $"k == {n + ins.InputIndex} ? 1.0 : 0.0",
            OpCode.Add => Terms(" + ", j => D(a[j])),
            OpCode.Subtract => Terms(" - ", j => D(a[j]), negateFirst: true),
            OpCode.Negate => $"-{D(a[0])}",
            OpCode.Mul => Terms(" + ", j => string.Join(" * ", a.Where((_, l) => l != j).Select(W).Prepend(D(a[j])))),
            OpCode.Divide when d0 && d1 => $"({D(a[0])} - {W(i)} * {D(a[1])}) / {W(a[1])}",
            OpCode.Divide when d0 => $"{D(a[0])} / {W(a[1])}",
            OpCode.Divide => $"-({W(i)} * {D(a[1])}) / {W(a[1])}",
            OpCode.Square => $"2.0 * {W(a[0])} * {D(a[0])}",
            OpCode.Reciprocal => $"-({W(i)} * {W(i)}) * {D(a[0])}",
            OpCode.Sqrt => $"0.5 * {D(a[0])} / {W(i)}",
            OpCode.PowInt => $"{Literal((int)ins.Value)} * ({PowText(W(a[0]), (int)ins.Value - 1)}) * {D(a[0])}",
            OpCode.Pow when d0 && d1 =>
                $"{W(i)} * ({D(a[1])} * Math.Log({W(a[0])}) + {W(a[1])} * {D(a[0])} / {W(a[0])})",
            OpCode.Pow when d0 => $"{W(i)} * ({W(a[1])} * {D(a[0])} / {W(a[0])})",
            OpCode.Pow => $"{W(i)} * ({D(a[1])} * Math.Log({W(a[0])}))",
            OpCode.Call when ins.Partials.Length == a.Length => Terms(" + ", j => $"{W(ins.Partials[j])} * {D(a[j])}"),
            _ => "0.0",
        };
    }
}
