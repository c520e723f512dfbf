using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;

// Two builds of the bench side by side in one process (each in its own load context), one right-
// hand side of each net's structured kernel timed in alternating rounds: a change to the kernel
// measured against the build before it, with the machine's drift in both.
//
//   git stash; dotnet build bench/Stlp.Bench -c Release -o /tmp/before; git stash pop
//   dotnet build bench/Stlp.Bench -c Release -o /tmp/after
//   dotnet run -c Release --project bench/Stlp.Ab -- /tmp/before /tmp/after 4-8-8-2 784-100-10

if (args.Length < 3 || args.Take(2).Any(folder => !File.Exists(Path.Combine(folder, "Stlp.Bench.dll"))))
{
    Console.Error.WriteLine(
        "usage: Stlp.Ab BUILD_A BUILD_B NET... (BUILD: a folder from dotnet build bench/Stlp.Bench -c Release -o BUILD; NET: layer sizes, as 4-8-8-2)"
    );
    return 1;
}

// A compiled kernel's own load context resolves its references here, by the load context
// that was current (entered by Prepare below) when it was loaded.
AppDomain.CurrentDomain.AssemblyResolve += (_, e) =>
{
    var context = AssemblyLoadContext.CurrentContextualReflectionContext;
    var path = context?.Name is null ? null : Path.Combine(context.Name, new AssemblyName(e.Name).Name + ".dll");
    return path is not null && File.Exists(path) ? context!.LoadFromAssemblyPath(path) : null;
};

Console.WriteLine("net,us_a,us_b,ratio_b_to_a,ratio_q1,ratio_q3");
foreach (var net in args.Skip(2))
{
    var sizes = net.Split('-').Select(int.Parse).ToArray();
    var a = Prepare(args[0], sizes);
    var b = Prepare(args[1], sizes);
    var (timeA, timeB, ratios) = Alternate(a, b);
    Console.WriteLine($"{net},{timeA:F2},{timeB:F2},{ratios[30]:F3},{ratios[15]:F3},{ratios[45]:F3}");
}
return 0;

// The build's StructuredScaling.RightHandSideOf(sizes), loaded in a context of its own.
static Action Prepare(string folder, int[] sizes)
{
    var full = Path.GetFullPath(folder);
    var context = new AssemblyLoadContext(full);
    context.Resolving += (c, name) =>
    {
        var path = Path.Combine(full, name.Name + ".dll");
        return File.Exists(path) ? c.LoadFromAssemblyPath(path) : null;
    };
    var bench = context.LoadFromAssemblyPath(Path.Combine(full, "Stlp.Bench.dll"));
    using (context.EnterContextualReflection())
    {
        var method =
            bench.GetType("Stlp.Bench.StructuredScaling")?.GetMethod("RightHandSideOf")
            ?? throw new InvalidOperationException($"{folder}: this build of the bench has no RightHandSideOf");
        return (Action)method.Invoke(null, [sizes])!;
    }
}

// A common warm-up (tiered JIT), then 61 rounds of one batch of each: medians and the quartiles
// of the per-round ratios b/a.
static (double A, double B, List<double> Ratios) Alternate(Action a, Action b)
{
    var watch = Stopwatch.StartNew();
    long calls = 0;
    while (watch.ElapsedMilliseconds < 2000)
    {
        a();
        b();
        calls++;
    }
    Thread.Sleep(300);
    var perBatch = (int)Math.Max(1, calls / 100);
    List<double> timesA = [],
        timesB = [],
        ratios = [];
    for (var round = 0; round < 61; round++)
    {
        watch.Restart();
        for (var k = 0; k < perBatch; k++)
        {
            a();
        }
        var x = watch.Elapsed.TotalMicroseconds / perBatch;
        watch.Restart();
        for (var k = 0; k < perBatch; k++)
        {
            b();
        }
        var y = watch.Elapsed.TotalMicroseconds / perBatch;
        timesA.Add(x);
        timesB.Add(y);
        ratios.Add(y / x);
    }
    timesA.Sort();
    timesB.Sort();
    ratios.Sort();
    return (timesA[30], timesB[30], ratios);
}
