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

    /// <summary>One entry per network trained on a data set.</summary>
    public required IReadOnlyList<Learning.NetworkLearning> Learning { get; init; }
}
