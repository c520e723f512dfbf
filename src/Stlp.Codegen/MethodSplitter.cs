namespace Stlp.Codegen;

/// <summary>
/// An estimate of what a statement adds to its method, in the quantities by which the JIT decides
/// to compile a method without optimization (MinOpts): IL bytes, IL instructions, references to
/// locals and arguments, basic blocks (here: branches), and locals.
/// </summary>
public readonly record struct MethodCost(int IlBytes, int Instructions, int LocalReferences, int Branches, int Locals)
{
    /// <summary>Nothing (a comment or a blank line).</summary>
    public static readonly MethodCost Zero = new(0, 0, 0, 0, 0);

    /// <summary>The sum of two estimates.</summary>
    public static MethodCost operator +(MethodCost a, MethodCost b) =>
        new(
            a.IlBytes + b.IlBytes,
            a.Instructions + b.Instructions,
            a.LocalReferences + b.LocalReferences,
            a.Branches + b.Branches,
            a.Locals + b.Locals
        );

    /// <summary>
    /// Whether a method of this estimated size stays well inside the JIT's limits. The JIT
    /// (coreclr jit/compiler.cpp, <c>DEFAULT_MIN_OPTS_*</c>) switches to MinOpts above 60,000 IL
    /// bytes, 20,000 IL instructions, 8,000 local references, 2,000 basic blocks or 2,000 locals,
    /// and tracks at most 1,024 locals in registers; a method over any of these ran about ten
    /// times slower. The budget is a third to a half of each (estimates run high), and 400 locals,
    /// under the 512 the tests check.
    /// </summary>
    public bool FitsOneMethod =>
        IlBytes <= MaxIlBytes
        && Instructions <= MaxInstructions
        && LocalReferences <= MaxLocalReferences
        && Branches <= MaxBranches
        && Locals <= MaxLocals;

    /// <summary>The budget of estimated IL bytes per generated method.</summary>
    public const int MaxIlBytes = 20_000;

    /// <summary>The budget of estimated IL instructions per generated method.</summary>
    public const int MaxInstructions = 8_000;

    /// <summary>The budget of estimated local and argument references per generated method.</summary>
    public const int MaxLocalReferences = 4_000;

    /// <summary>The budget of estimated branches per generated method.</summary>
    public const int MaxBranches = 500;

    /// <summary>The budget of locals per generated method.</summary>
    public const int MaxLocals = 400;

    // Unit costs, from the IL Roslyn emits in Release (upper ends, so estimates run high).

    /// <summary>Reading a local or an argument: ldloc / ldarg.</summary>
    public static readonly MethodCost LocalRead = new(3, 1, 1, 0, 0);

    /// <summary>A double constant: ldc.r8.</summary>
    public static readonly MethodCost ConstantRead = new(9, 1, 0, 0, 0);

    /// <summary>An element through a pointer or an array at a constant index: ldloc, ldc.i4, add/conv, ldind.</summary>
    public static readonly MethodCost ElementAccess = new(10, 4, 1, 0, 0);

    /// <summary>An element of a span: ldarga, ldc.i4, call get_Item, ldind / stind.</summary>
    public static readonly MethodCost SpanAccess = new(13, 4, 1, 0, 0);

    /// <summary>An arithmetic operator.</summary>
    public static readonly MethodCost Operator = new(1, 1, 0, 0, 0);

    /// <summary>A static call with its arguments already on the stack.</summary>
    public static readonly MethodCost Call = new(5, 1, 0, 0, 0);

    /// <summary>Declaring and storing a local.</summary>
    public static readonly MethodCost LocalStore = new(3, 1, 1, 0, 1);

    /// <summary>A conditional throw or a ?: (a compare, a branch, and the code of the other block).</summary>
    public static readonly MethodCost Check = new(40, 12, 3, 2, 0);
}

/// <summary>One statement of generated code, its estimated cost, and the temporaries it defines and reads.</summary>
/// <param name="Text">The statement, given how to write a temporary (a local, a shared slot, a literal).</param>
/// <param name="Defines">The temporary it assigns, or -1.</param>
/// <param name="Uses">The temporaries it reads.</param>
/// <param name="Cost">The estimated cost, with temporaries counted as <see cref="MethodCost.ElementAccess"/>.</param>
public sealed record CodeLine(Func<Func<int, string>, string> Text, int Defines, int[] Uses, MethodCost Cost)
{
    /// <summary>A line that reads no temporary: a comment, a blank line or a fixed statement.</summary>
    public static CodeLine Fixed(string text, MethodCost cost) => new(_ => text, -1, [], cost);

    /// <summary>A comment (or a blank line, when empty).</summary>
    public static CodeLine Comment(string text) => Fixed(text.Length == 0 ? "" : $"// {text}", MethodCost.Zero);
}

/// <summary>
/// Splits a straight-line list of statements into methods that each fit the JIT's optimization
/// budget (<see cref="MethodCost.FitsOneMethod"/>), keeping order.
/// </summary>
public static class MethodSplitter
{
    /// <summary>
    /// Consecutive runs of lines; a run ends before the line that would take it over budget, where
    /// <paramref name="extra"/> is what a method pays for each new temporary it reads (its inputs
    /// are unpacked anew in each method). A comment starts a run with the line after it.
    /// </summary>
    public static List<List<CodeLine>> Split(IReadOnlyList<CodeLine> lines, Func<int, MethodCost> extra)
    {
        var parts = new List<List<CodeLine>>();
        var current = new List<CodeLine>();
        var cost = MethodCost.Zero;
        var seen = new HashSet<int>();
        var hasCode = false;
        foreach (var line in lines)
        {
            var added = line.Cost;
            foreach (var u in line.Uses)
            {
                if (!seen.Contains(u))
                {
                    added += extra(u);
                }
            }
            if (hasCode && !(cost + added).FitsOneMethod)
            {
                // Comments just before the cut belong to what follows.
                var carried = new List<CodeLine>();
                while (current.Count > 0 && current[^1].Cost == MethodCost.Zero && current[^1].Uses.Length == 0)
                {
                    carried.Insert(0, current[^1]);
                    current.RemoveAt(current.Count - 1);
                }
                parts.Add(current);
                current = carried;
                cost = MethodCost.Zero;
                seen.Clear();
                hasCode = false;
                added = line.Cost;
                foreach (var u in line.Uses)
                {
                    added += extra(u);
                }
            }
            current.Add(line);
            cost += added;
            hasCode |= line.Cost != MethodCost.Zero;
            foreach (var u in line.Uses)
            {
                seen.Add(u);
            }
        }
        if (current.Count > 0)
        {
            parts.Add(current);
        }
        return parts;
    }

    /// <summary>The estimated cost of a run of lines, each new temporary read paying <paramref name="extra"/> once.</summary>
    public static MethodCost Total(IEnumerable<CodeLine> lines, Func<int, MethodCost> extra)
    {
        var cost = MethodCost.Zero;
        var seen = new HashSet<int>();
        foreach (var line in lines)
        {
            cost += line.Cost;
            foreach (var u in line.Uses)
            {
                if (seen.Add(u))
                {
                    cost += extra(u);
                }
            }
        }
        return cost;
    }
}
