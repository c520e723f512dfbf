using Stlp.Simulation;
using Stlp.Simulation.Recording;

// fig3b built in C# (Fig3b.cs), then derived, compiled and integrated by the simulation library.
var model = CSharpApi.Fig3b.Build();
var run = Simulator.Prepare(model, new SimulationOptions { Cache = null }); // derive, start, compile
Console.WriteLine($"{model.Name}: {run.Derivation.N} coordinates, {run.Derivation.R} constraints");
Console.WriteLine(
    $"kernel: {run.Kernel.Program.Instructions.Length} temporaries, compiled in {run.Kernel.CompileTime.TotalSeconds:F1} s"
);

var trajectory = new MemoryRecorder(); // the trajectory in memory, no files
var result = run.Run([trajectory]);
var w = trajectory["w"];
Console.WriteLine($"{result.Status}: {result.StepsAccepted} steps, max |G| = {result.MaxAbsG:E1}");
Console.WriteLine(
    $"w(t = {result.TReached}) = {result.Final["w"]:F6} (w(100) = {w[trajectory.Times.ToList().IndexOf(100)]:F6})"
);
