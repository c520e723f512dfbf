using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Stlp.Ir;
using Stlp.Model;

namespace Stlp.Codegen;

/// <summary>
/// Writes the C# source of a kernel from an IR program: readable, deterministic (one program,
/// one byte-identical source), each block commented with the equation it computes. User names
/// appear only in comments, reduced to printable ASCII, so a model cannot inject code.
/// Knows nothing of Roslyn.
/// </summary>
public static class KernelEmitter
{
    public const string GeneratorVersion = "Stlp.Codegen 1.0";

    /// <summary>Up to this many temporaries, they are locals of one method.</summary>
    public const int LocalLimit = 4000;

    /// <summary>Beyond it, temporaries live in a work array and statements are split into methods of this size.</summary>
    public const int StatementsPerMethod = 1000;

    /// <summary>And of at most about this much source (IL is roughly 0.7 bytes per character).</summary>
    public const int CharactersPerMethod = 30000;

    /// <summary>
    /// Up to this many temporaries the Jacobian is generated as forward-mode tangent code; beyond,
    /// the tangent code would double a compile that is already long, and the Jacobian is taken by
    /// central differences of the kernel (2n evaluations).
    /// </summary>
    public const int TangentLimit = 2000;

    /// <summary>Multiplier systems up to this size get a fully unrolled Cholesky.</summary>
    public const int UnrolledCholeskyLimit = 6;

    private const string Parameters =
        "double t, ReadOnlySpan<double> q, ReadOnlySpan<double> qdot, ReadOnlySpan<double> p, "
        + "ReadOnlySpan<double> s, Span<double> qddot, Span<double> lambdaNormalized, Span<double> g, Span<double> gdot";

    private const string Arguments = "t, q, qdot, p, s, qddot, lambdaNormalized, g, gdot";

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

    public static string Emit(IrProgram p)
    {
        var body = new StringBuilder();
        var big = p.Instructions.Length > LocalLimit;
        string Ref(int slot) => big ? $"w[{slot}]" : $"t{slot}";

        // ---- the straight-line part: temporaries, then outputs ----
        var statements = new List<string>
        {
            "// Common subexpressions of H~, f~, G_q, gamma, G, Gdot, varpi, A and b, each computed once.",
        };
        var primalNeeded = PrimalNeeded(p);
        for (var i = 0; i < p.Instructions.Length; i++)
        {
            // Small kernels keep only what Evaluate needs; the Jacobian recomputes all into w.
            if (!big && !primalNeeded[i])
            {
                continue;
            }
            var value = Expression(p.Instructions[i], Ref);
            statements.Add(big ? $"w[{i}] = {value};" : $"double t{i} = {value};");
        }
        statements.Add("// G(t, q) and Gdot = G_t + G_q qdot: the constraint residuals.");
        for (var j = 0; j < p.R; j++)
        {
            statements.Add($"g[{j}] = {Ref(p.G[j])}; // G[{CommentSafe(p.ConstraintNames[j])}]");
            statements.Add($"gdot[{j}] = {Ref(p.Gdot[j])};");
        }
        statements.Add("// varpi(t), the dissipation: lambda = varpi lambda~ (MATH.md §3).");
        statements.Add($"varpiValue = {Ref(p.Varpi)};");

        var unrolled = !big && p.IsHDiagonal && p.R <= UnrolledCholeskyLimit;
        var tail = new List<string>();
        if (!p.IsHDiagonal)
        {
            EmitGeneral(p, Ref, statements, tail);
        }
        else if (unrolled)
        {
            EmitDiagonalUnrolled(p, Ref, statements);
        }
        else
        {
            EmitDiagonalArrays(p, Ref, statements, tail);
        }

        // ---- the class ----
        var scratch = new List<string> { "private double varpiValue;" };
        var tangentCode = p.IsHDiagonal && !big && p.Instructions.Length <= TangentLimit;
        if (big)
        {
            // Read through a pinned pointer (w) in each method: no bounds checks, and machine code
            // about a third the size; a kernel this large is limited by instruction fetch.
            scratch.Add($"private readonly double[] work = new double[{p.Instructions.Length}];");
        }
        else if (tangentCode)
        {
            scratch.Add($"private readonly double[] w = new double[{p.Instructions.Length}];");
        }
        if (tangentCode)
        {
            scratch.Add($"private readonly double[] dw = new double[{p.Instructions.Length}];");
            scratch.Add($"private readonly DiagonalJacobian jacobianAssembly = {AssemblyText(p)};");
            scratch.Add($"private readonly double[] jQddot = new double[{p.N}];");
            scratch.Add($"private readonly double[] jLambda = new double[{p.R}];");
            scratch.Add($"private readonly double[] jG = new double[{p.R}];");
            scratch.Add($"private readonly double[] jGdot = new double[{p.R}];");
        }
        if (p.IsHDiagonal && !unrolled)
        {
            scratch.Add($"private readonly double[] hinv = new double[{p.N}];");
            scratch.Add($"private readonly double[] a = new double[{p.R * p.R}];");
            scratch.Add($"private readonly double[] lam = new double[{p.R}];");
        }
        if (!p.IsHDiagonal)
        {
            scratch.Add($"private readonly double[] hDense = new double[{p.N * p.N}];");
            scratch.Add($"private readonly double[] gqDense = new double[{p.R * p.N}];");
            scratch.Add($"private readonly double[] fVector = new double[{p.N}];");
            scratch.Add($"private readonly double[] gammaVector = new double[{p.R}];");
        }

        body.AppendLine("namespace Stlp.Generated");
        body.AppendLine("{");
        body.AppendLine("    using System;");
        body.AppendLine("    using Stlp.Runtime.Kernels;");
        body.AppendLine();
        body.AppendLine(
            "    /// <summary>The constrained Euler-Lagrange system of one model (MATH.md §2-3).</summary>"
        );
        body.AppendLine("    public sealed class Kernel : IJacobianKernel");
        body.AppendLine("    {");
        foreach (var line in scratch)
        {
            body.AppendLine($"        {line}");
        }
        body.AppendLine();
        body.AppendLine($"        public int CoordinateCount => {p.N};");
        body.AppendLine($"        public int ConstraintCount => {p.R};");
        body.AppendLine($"        public int ParameterCount => {p.ParameterNames.Length};");
        body.AppendLine($"        public int SignalCount => {p.SignalInputs.Length};");
        body.AppendLine();
        body.AppendLine($"        public void Evaluate({Parameters}, out double varpi)");
        body.AppendLine("        {");
        if (big)
        {
            var parts = Chunk(statements);
            var tailParts = Chunk(tail);
            for (var k = 0; k < parts.Count; k++)
            {
                body.AppendLine($"            Part{k}({Arguments});");
            }
            body.AppendLine("            Solve(t);");
            for (var k = 0; k < tailParts.Count; k++)
            {
                body.AppendLine($"            Tail{k}({Arguments});");
            }
            body.AppendLine("            varpi = varpiValue;");
            body.AppendLine("        }");
            for (var k = 0; k < parts.Count; k++)
            {
                AppendMethod(body, $"Part{k}", parts[k]);
            }
            for (var k = 0; k < tailParts.Count; k++)
            {
                AppendMethod(body, $"Tail{k}", tailParts[k]);
            }
            body.AppendLine();
            body.AppendLine("        private void Solve(double t)");
            body.AppendLine("        {");
            foreach (var line in SolveStatements(p))
            {
                body.AppendLine($"            {line}");
            }
            body.AppendLine("        }");
        }
        else
        {
            foreach (var line in statements)
            {
                body.AppendLine($"            {line}");
            }
            if (!unrolled)
            {
                foreach (var line in SolveStatements(p))
                {
                    body.AppendLine($"            {line}");
                }
                foreach (var line in tail)
                {
                    body.AppendLine($"            {line}");
                }
            }
            body.AppendLine("            varpi = varpiValue;");
            body.AppendLine("        }");
        }
        EmitJacobian(p, tangentCode, body);
        body.AppendLine("    }");
        body.AppendLine("}");

        var text = body.ToString();
        var header = new StringBuilder();
        header.AppendLine("// <auto-generated/>");
        header.AppendLine($"// Kernel for model: {CommentSafe(p.ModelName)}");
        header.AppendLine($"// Content hash: {ContentHash(text)}");
        header.AppendLine($"// Generator: {GeneratorVersion}");
        header.AppendLine(
            $"// {p.N} coordinates, {p.R} constraints, {p.Instructions.Length} temporaries, H {(p.IsHDiagonal ? "diagonal" : "dense")}."
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
        return header + text;
    }

    public static string ContentHash(string text) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16].ToLowerInvariant();

    private static string Expression(Instruction ins, Func<int, string> r) =>
        ins.Op switch
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
            OpCode.Add => string.Join(" + ", ins.Args.Select(r)),
            OpCode.Mul => string.Join(" * ", ins.Args.Select(r)),
            OpCode.Subtract => string.Join(" - ", ins.Args.Select(r)),
            OpCode.Negate => $"-{r(ins.Args[0])}",
            OpCode.Divide => $"{r(ins.Args[0])} / {r(ins.Args[1])}",
            OpCode.Square => $"{r(ins.Args[0])} * {r(ins.Args[0])}",
            OpCode.Reciprocal => $"1.0 / {r(ins.Args[0])}",
            OpCode.Sqrt => $"Math.Sqrt({r(ins.Args[0])})",
            OpCode.PowInt => PowText(r(ins.Args[0]), (int)ins.Value),
            OpCode.Pow => $"Math.Pow({r(ins.Args[0])}, {r(ins.Args[1])})",
            _ => string.Format(
                CultureInfo.InvariantCulture,
                Functions.find(ins.Name).CSharp,
                ins.Args.Select(r).Cast<object>().ToArray()
            ),
        };

    private const string PrimalParameters =
        "double t, ReadOnlySpan<double> q, ReadOnlySpan<double> qdot, ReadOnlySpan<double> p, ReadOnlySpan<double> s";

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
        var primal = new List<string>();
        for (var i = 0; i < p.Instructions.Length; i++)
        {
            primal.Add($"w[{i}] = {Expression(p.Instructions[i], j => $"w[{j}]")};");
        }
        var tangents = new List<string>();
        for (var i = 0; i < p.Instructions.Length; i++)
        {
            tangents.Add($"dw[{i}] = {Tangent(p.Instructions[i], i, p.N)};");
        }
        var primalParts = Chunk(primal);
        var tangentParts = Chunk(tangents);
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
            foreach (var line in primalParts[c])
            {
                body.AppendLine($"            {line}");
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
            foreach (var line in tangentParts[c])
            {
                body.AppendLine($"            {line}");
            }
            body.AppendLine("        }");
        }
    }

    /// <summary>x^k as <see cref="Interpreter.PowInt"/> computes it.</summary>
    private static string PowText(string x, int k) =>
        k switch
        {
            2 => $"{x} * {x}",
            3 => $"{x} * {x} * {x}",
            _ => $"Math.Pow({x}, {Literal(k)})",
        };

    /// <summary>The forward-mode tangent of one instruction along direction k, as <see cref="Tangents.Pass"/> computes it.</summary>
    private static string Tangent(Instruction ins, int i, int n)
    {
        string W(int j) => $"w[{j}]";
        string D(int j) => $"dw[{j}]";
        var a = ins.Args;
        return ins.Op switch
        {
            OpCode.Input when ins.InputKind == InputKind.Coordinate => $"k == {ins.InputIndex} ? 1.0 : 0.0",
            OpCode.Input when ins.InputKind == InputKind.Velocity => $"k == {n + ins.InputIndex} ? 1.0 : 0.0",
            OpCode.Add => string.Join(" + ", a.Select(D)),
            OpCode.Mul => string.Join(
                " + ",
                a.Select((aj, j) => string.Join(" * ", a.Where((_, l) => l != j).Select(W).Prepend(D(aj))))
            ),
            OpCode.Subtract => string.Join(" - ", a.Select(D)),
            OpCode.Negate => $"-{D(a[0])}",
            OpCode.Divide => $"({D(a[0])} - {W(i)} * {D(a[1])}) / {W(a[1])}",
            OpCode.Square => $"2.0 * {W(a[0])} * {D(a[0])}",
            OpCode.Reciprocal => $"-({W(i)} * {W(i)}) * {D(a[0])}",
            OpCode.Sqrt => $"0.5 * {D(a[0])} / {W(i)}",
            OpCode.PowInt => $"{Literal((int)ins.Value)} * ({PowText(W(a[0]), (int)ins.Value - 1)}) * {D(a[0])}",
            OpCode.Pow => $"{W(i)} * ({D(a[1])} * Math.Log({W(a[0])}) + {W(a[1])} * {D(a[0])} / {W(a[0])})",
            OpCode.Call when ins.Partials.Length == a.Length => string.Join(
                " + ",
                a.Select((aj, j) => $"{W(ins.Partials[j])} * {D(aj)}")
            ),
            _ => "0.0",
        };
    }

    /// <summary>Instructions the outputs need through their arguments (not only through partials).</summary>
    private static bool[] PrimalNeeded(IrProgram p)
    {
        var needed = new bool[p.Instructions.Length];
        var pending = new Stack<int>(
            p.HNorm.Select(e => e.Slot)
                .Concat(p.FNorm)
                .Concat(p.Gq.Select(e => e.Slot))
                .Concat(p.Gamma)
                .Concat(p.G)
                .Concat(p.Gdot)
                .Append(p.Varpi)
                .Concat(p.A.Select(e => e.Slot))
                .Concat(p.B)
        );
        while (pending.Count > 0)
        {
            var i = pending.Pop();
            if (!needed[i])
            {
                needed[i] = true;
                foreach (var a in p.Instructions[i].Args)
                {
                    pending.Push(a);
                }
            }
        }
        return needed;
    }

    private static void EmitDiagonalUnrolled(IrProgram p, Func<int, string> r, List<string> s)
    {
        var n = p.N;
        var m = p.R;
        s.Add("// H~ = H / varpi is diagonal (MATH.md §3): its inverse; it must be positive.");
        foreach (var e in p.HNorm)
        {
            s.Add($"if (!({r(e.Slot)} > 0.0)) throw new NumericalFailure(t, \"H~[{e.Row}]\", \"not positive\");");
            s.Add($"double hinv{e.Row} = 1.0 / {r(e.Slot)};");
        }
        s.Add("// A = G_q H~^-1 G_q' (MULT), lower triangle, and b = G_q H~^-1 f~ + gamma.");
        var a = new Dictionary<(int, int), int>();
        foreach (var e in p.A)
        {
            a[(e.Column, e.Row)] = e.Slot;
        }
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                s.Add($"double a{i}_{j} = {(a.TryGetValue((i, j), out var slot) ? r(slot) : "0.0")};");
            }
        }
        for (var j = 0; j < m; j++)
        {
            s.Add($"double b{j} = {r(p.B[j])};");
        }
        s.Add("// A lambda~ = b: Cholesky A = L L', unrolled, then the two triangular solves.");
        for (var j = 0; j < m; j++)
        {
            var d = new StringBuilder($"a{j}_{j}");
            for (var k = 0; k < j; k++)
            {
                d.Append($" - l{j}_{k} * l{j}_{k}");
            }
            s.Add($"double d{j} = {d};");
            s.Add(
                $"if (!(d{j} > DenseCholesky.RelativePivot * a{j}_{j})) throw new NumericalFailure(t, \"A[{j},{j}]\", \"non-positive pivot of the multiplier matrix G_q H^-1 G_q' (constraints dependent)\");"
            );
            s.Add($"d{j} = Math.Sqrt(d{j});");
            s.Add($"double l{j}_{j} = d{j};");
            for (var i = j + 1; i < m; i++)
            {
                var v = new StringBuilder($"a{i}_{j}");
                for (var k = 0; k < j; k++)
                {
                    v.Append($" - l{i}_{k} * l{j}_{k}");
                }
                s.Add($"double l{i}_{j} = ({v}) / d{j};");
            }
        }
        for (var i = 0; i < m; i++)
        {
            var v = new StringBuilder($"b{i}");
            for (var k = 0; k < i; k++)
            {
                v.Append($" - l{i}_{k} * y{k}");
            }
            s.Add($"double y{i} = ({v}) / l{i}_{i};");
        }
        for (var i = m - 1; i >= 0; i--)
        {
            var v = new StringBuilder($"y{i}");
            for (var k = i + 1; k < m; k++)
            {
                v.Append($" - l{k}_{i} * x{k}");
            }
            s.Add($"double x{i} = ({v}) / l{i}_{i};");
        }
        for (var j = 0; j < m; j++)
        {
            s.Add($"lambdaNormalized[{j}] = x{j}; // lambda~[{CommentSafe(p.ConstraintNames[j])}]");
        }
        s.Add("// qddot = H~^-1 (f~ - G_q' lambda~) (EL).");
        var byCoordinate = p.Gq.GroupBy(e => e.Column).ToDictionary(g => g.Key, g => g.ToList());
        for (var i = 0; i < n; i++)
        {
            var v = new StringBuilder(r(p.FNorm[i]));
            foreach (var e in byCoordinate.GetValueOrDefault(i) ?? [])
            {
                v.Append($" - {r(e.Slot)} * x{e.Row}");
            }
            s.Add($"qddot[{i}] = ({v}) * hinv{i}; // {CommentSafe(p.CoordinateNames[i])}''");
        }
    }

    private static void EmitDiagonalArrays(IrProgram p, Func<int, string> r, List<string> s, List<string> tail)
    {
        s.Add("// H~ = H / varpi is diagonal (MATH.md §3): its inverse; it must be positive.");
        foreach (var e in p.HNorm)
        {
            s.Add($"if (!({r(e.Slot)} > 0.0)) throw new NumericalFailure(t, \"H~[{e.Row}]\", \"not positive\");");
            s.Add($"hinv[{e.Row}] = 1.0 / {r(e.Slot)};");
        }
        s.Add("// A = G_q H~^-1 G_q' (MULT), lower triangle, and b = G_q H~^-1 f~ + gamma.");
        s.Add("Array.Clear(a);");
        foreach (var e in p.A)
        {
            s.Add($"a[{e.Column * p.R + e.Row}] = {r(e.Slot)};");
        }
        for (var j = 0; j < p.R; j++)
        {
            s.Add($"lam[{j}] = {r(p.B[j])};");
        }
        tail.Add("// qddot = H~^-1 (f~ - G_q' lambda~) (EL).");
        var byCoordinate = p.Gq.GroupBy(e => e.Column).ToDictionary(g => g.Key, g => g.ToList());
        for (var i = 0; i < p.N; i++)
        {
            var v = new StringBuilder(r(p.FNorm[i]));
            foreach (var e in byCoordinate.GetValueOrDefault(i) ?? [])
            {
                v.Append($" - {r(e.Slot)} * lam[{e.Row}]");
            }
            tail.Add($"qddot[{i}] = ({v}) * hinv[{i}];");
        }
        tail.Add("lam.AsSpan().CopyTo(lambdaNormalized);");
    }

    private static void EmitGeneral(IrProgram p, Func<int, string> r, List<string> s, List<string> tail)
    {
        s.Add("// H~ = H / varpi is not diagonal (F depends on velocities): dense H~, G_q, f~, gamma.");
        s.Add("Array.Clear(hDense);");
        foreach (var e in p.HNorm)
        {
            s.Add($"hDense[{e.Row * p.N + e.Column}] = {r(e.Slot)};");
        }
        s.Add("Array.Clear(gqDense);");
        foreach (var e in p.Gq)
        {
            s.Add($"gqDense[{e.Row * p.N + e.Column}] = {r(e.Slot)};");
        }
        for (var i = 0; i < p.N; i++)
        {
            s.Add($"fVector[{i}] = {r(p.FNorm[i])};");
        }
        for (var j = 0; j < p.R; j++)
        {
            s.Add($"gammaVector[{j}] = {r(p.Gamma[j])};");
        }
        tail.Add("// (G_q H~^-1 G_q') lambda~ = G_q H~^-1 f~ + gamma (MULT); qddot = H~^-1 (f~ - G_q' lambda~) (EL).");
        tail.Add(
            $"DenseMultipliers.Solve(t, {p.N}, {p.R}, hDense, gqDense, fVector, gammaVector, qddot, lambdaNormalized);"
        );
    }

    private static IEnumerable<string> SolveStatements(IrProgram p)
    {
        if (!p.IsHDiagonal)
        {
            yield break;
        }
        yield return "// A lambda~ = b by an in-place dense Cholesky.";
        yield return $"var pivot = DenseCholesky.Factor(a, {p.R});";
        yield return "if (pivot >= 0) throw new NumericalFailure(t, $\"A[{pivot},{pivot}]\", \"non-positive pivot of the multiplier matrix G_q H^-1 G_q' (constraints dependent)\");";
        yield return $"DenseCholesky.Solve(a, {p.R}, lam);";
    }

    /// <summary>
    /// Methods end after <see cref="StatementsPerMethod"/> statements or <see cref="CharactersPerMethod"/>
    /// characters of source, whichever comes first: the JIT compiles a method with more than about
    /// 60 kB of IL without optimization (MinOpts), which made a 64-32-10 kernel ten times slower.
    /// </summary>
    private static List<List<string>> Chunk(List<string> statements)
    {
        var parts = new List<List<string>>();
        var current = new List<string>();
        var characters = 0;
        foreach (var statement in statements)
        {
            if (
                current.Count > 0
                && (current.Count >= StatementsPerMethod || characters + statement.Length > CharactersPerMethod)
            )
            {
                parts.Add(current);
                current = [];
                characters = 0;
            }
            current.Add(statement);
            characters += statement.Length;
        }
        if (current.Count > 0)
        {
            parts.Add(current);
        }
        return parts;
    }

    private static void AppendMethod(StringBuilder body, string name, List<string> statements)
    {
        body.AppendLine();
        body.AppendLine($"        private unsafe void {name}({Parameters})");
        body.AppendLine("        {");
        body.AppendLine("            fixed (double* w = work)");
        body.AppendLine("            {");
        foreach (var line in statements)
        {
            body.AppendLine($"                {line}");
        }
        body.AppendLine("            }");
        body.AppendLine("        }");
    }
}
