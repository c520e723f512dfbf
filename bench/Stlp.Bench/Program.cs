using BenchmarkDotNet.Running;
using Stlp.Bench;

// `-- sizes` prints DAG node counts of derivatives; `-- derive-scaling` the derivation's growth
// with network size; `-- kernel-calls [sample.stlp ...]` the time per call of generated kernels;
// anything else goes to BenchmarkDotNet (e.g. `-- --filter '*'`).
if (args is ["sizes"])
{
    Sizes.Print(Console.Out);
    return 0;
}
if (args is ["run-timing"])
{
    RunTiming.Print(Console.Out);
    return 0;
}
if (args is ["kernel-timing"])
{
    KernelTiming.Print(Console.Out);
    return 0;
}
if (args is ["kernel-calls", .. var callSamples])
{
    KernelCalls.Print(Console.Out, callSamples);
    return 0;
}
if (args is ["kernel-profile", var modelFile])
{
    KernelProfile.Print(modelFile, Console.Out);
    return 0;
}
if (args is ["moons", var count, var noise, var seed])
{
    Moons.Print(
        int.Parse(count),
        double.Parse(noise, System.Globalization.CultureInfo.InvariantCulture),
        int.Parse(seed),
        Console.Out
    );
    return 0;
}
if (args is ["learning", .. var samples])
{
    LearningComparison.Print(samples.Length > 0 ? samples : ["iris.stlp"], Console.Out);
    return 0;
}
if (args is ["stiff"])
{
    StiffComparison.Print(Console.Out);
    return 0;
}
if (args is ["structured-solve"])
{
    StructuredSolve.Print(Console.Out);
    return 0;
}
if (args is ["stage-sums"])
{
    StageSumsTiming.Print(Console.Out);
    return 0;
}
if (args is ["structured-scaling", .. var scalingOptions])
{
    StructuredScaling.Print(
        Console.Out,
        scalingOptions.Contains("--straight-line"),
        [.. scalingOptions.Where(o => !o.StartsWith("--", StringComparison.Ordinal))]
    );
    return 0;
}
if (args is ["phases", var phaseModel, .. var phaseEnd])
{
    RunPhases.Print(
        phaseModel,
        phaseEnd.Length > 0 ? double.Parse(phaseEnd[0], System.Globalization.CultureInfo.InvariantCulture) : null,
        Console.Out
    );
    return 0;
}
if (args is ["limit-flow", var flowModel, .. var flowSubsteps])
{
    LimitFlowLearning.Print(flowModel, flowSubsteps.Length > 0 ? int.Parse(flowSubsteps[0]) : 20, Console.Out);
    return 0;
}
if (args is ["derive-scaling"])
{
    DeriveScaling.Print(Console.Out);
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(DerivationBenchmarks).Assembly).Run(args);
return 0;
