namespace Stlp.Simulation;

/// <summary>How a run ended.</summary>
public enum RunStatus
{
    Completed,

    /// <summary>A numerical failure: the message says when, at which step and what.</summary>
    Failed,

    /// <summary>Cancelled (Ctrl-C, SIGTERM or a caller's token); the results up to then are kept.</summary>
    Interrupted,
}

/// <summary>Wall-clock times of the phases; <c>Kernel</c> is the time inside kernel calls when they were timed, else zero.</summary>
public sealed record RunTimings(
    TimeSpan Derive,
    TimeSpan Generate,
    TimeSpan Compile,
    TimeSpan Integrate,
    TimeSpan Evaluate,
    TimeSpan Wall,
    TimeSpan Kernel
);

/// <summary>How one data set was presented: what a run needs to be reproduced.</summary>
public sealed record DataSetConfiguration(
    string Name,
    string File,
    int Seed,
    double Split,
    int Epochs,
    double Present,
    double Mollify,
    bool Standardize,
    bool Shuffle = true
);

/// <summary>Everything a run used, so that it can be reproduced: tool, model, parameters, method, data, kernel.</summary>
public sealed record RunConfiguration
{
    public required string ToolVersion { get; init; }
    public string? ModelFile { get; init; }

    /// <summary>SHA-256 of the model file's bytes (null for a model built in code).</summary>
    public string? ModelSha256 { get; init; }

    /// <summary>Every parameter's value, in the model's order.</summary>
    public required IReadOnlyDictionary<string, double> Parameters { get; init; }

    /// <summary>The parameters set from outside the model (<c>--set</c>, a sweep).</summary>
    public required IReadOnlyList<string> Overridden { get; init; }
    public required string Method { get; init; }
    public required double RelativeTolerance { get; init; }
    public required double AbsoluteTolerance { get; init; }

    /// <summary>The fixed step (rk4 only; null for the adaptive methods).</summary>
    public double? Step { get; init; }
    public required double OutputEvery { get; init; }
    public required string Stabilization { get; init; }
    public required IReadOnlyList<DataSetConfiguration> DataSets { get; init; }

    /// <summary>The content hash of the kernel source (with compiler and runtime versions): the cache key.</summary>
    public required string KernelHash { get; init; }
    public required bool KernelCacheHit { get; init; }

    /// <summary>Which kernel ran: "structured (SOLVER solve; rows, edges)" or "straight-line" (with why, for a network model).</summary>
    public string Kernel { get; init; } = "straight-line";
}

/// <summary>What a run reached: a typed summary that <c>summary.json</c> is written from.</summary>
public sealed record RunResult
{
    public required string Model { get; init; }
    public required RunStatus Status { get; init; }

    /// <summary>Why the run did not complete; null when it did.</summary>
    public string? Message { get; init; }
    public required string Method { get; init; }
    public required string Stabilization { get; init; }
    public required double T0 { get; init; }
    public required double T1 { get; init; }
    public required double TReached { get; init; }

    /// <summary>Each coordinate's final value by name (empty when nothing was recorded).</summary>
    public required IReadOnlyDictionary<string, double> Final { get; init; }

    /// <summary>The final values of the network weights by name (the run's <c>weights.json</c>).</summary>
    public required IReadOnlyDictionary<string, double> FinalWeights { get; init; }
    public required double MaxAbsG { get; init; }
    public required double MaxAbsGdot { get; init; }
    public long StepsAccepted { get; init; }
    public long StepsRejected { get; init; }

    /// <summary>The smallest accepted step, or null before the first step.</summary>
    public double? SmallestStep { get; init; }
    public long RhsEvaluations { get; init; }

    /// <summary>Jacobians taken by an implicit method.</summary>
    public long JacobianEvaluations { get; init; }
    public double? FinalLoss { get; init; }

    /// <summary>The loss averaged over the first tenth of the recorded samples (online learning).</summary>
    public double? LossMeanFirstTenth { get; init; }

    /// <summary>The loss averaged over the last tenth of the recorded samples.</summary>
    public double? LossMeanLastTenth { get; init; }

    /// <summary>What completing the consistent start changed, one line each.</summary>
    public required IReadOnlyList<string> InitialChanges { get; init; }
    public required bool KernelCacheHit { get; init; }
    public required int KernelTemporaries { get; init; }
    public required RunTimings Timings { get; init; }

    /// <summary>Everything the run used.</summary>
    public required RunConfiguration Configuration { get; init; }

    /// <summary>What the user should know that is not an error, e.g. a run past the last epoch.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>One entry per network trained on a data set.</summary>
    public required IReadOnlyList<Learning.NetworkLearning> Learning { get; init; }
}
