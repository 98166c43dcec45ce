using System.Text;
using HotStandby.Chaos.Faults;

namespace HotStandby.Chaos.Checking;

/// <summary>One broken guarantee, with enough detail to find it in the history and the node logs.</summary>
public sealed record Violation(string Kind, string Detail);

/// <summary>When a fault struck and healed, and how long after the heal a newly started write was acknowledged.</summary>
public sealed record FaultRecovery(Fault Fault, long AppliedMs, long HealedMs, long? RecoveryMs, long LongestWriteGapMs);

/// <summary>The checker's verdict and the run's figures.</summary>
public sealed record CheckReport(
    int Writes, int Acked, int Unknown, int Lost,
    int Reads, int PrimaryReads, int StaleReads,
    IReadOnlyList<(long FromMs, long ToMs)> SplitBrainIntervals,
    int DivergedEntries, int SampledPositions,
    IReadOnlyList<FaultRecovery> Recoveries,
    long? FinalRecoveryMs, long RecoveryBoundMs,
    IReadOnlyList<Violation> Violations)
{
    public bool Passed => Violations.Count == 0;

    public string Render()
    {
        var s = new StringBuilder();
        s.AppendLine($"faults injected: {Recoveries.Count} ({string.Join(", ", Recoveries.GroupBy(r => r.Fault.Kind).OrderBy(g => g.Key).Select(g => $"{Name(g.Key)} {g.Count()}"))})");
        s.AppendLine($"operations: {Writes} writes ({Acked} acknowledged, {Unknown} not acknowledged), {Reads} reads ({PrimaryReads} served by the primary)");
        s.AppendLine($"lost acknowledged writes: {Lost}");
        s.AppendLine($"split-brain intervals: {SplitBrainIntervals.Count}{string.Concat(SplitBrainIntervals.Take(5).Select(i => $" [{i.FromMs}..{i.ToMs} ms]"))}");
        s.AppendLine($"stale reads from the primary: {StaleReads}");
        s.AppendLine($"diverged entries kept in diverged/: {DivergedEntries}; log positions sampled and accounted for: {SampledPositions}");
        var healed = Recoveries.Where(r => r.RecoveryMs is not null).ToList();
        if (healed.Count > 0)
        {
            s.AppendLine($"write recovery after each heal (ms, heal -> first newly started write acknowledged): {Stats(healed.Select(r => r.RecoveryMs!.Value))}");
            foreach (var g in healed.GroupBy(r => r.Fault.Kind).OrderBy(g => g.Key))
                s.AppendLine($"  {Name(g.Key),-17} n={g.Count(),-4} {Stats(g.Select(r => r.RecoveryMs!.Value))}; longest write gap while it lasted {g.Max(r => r.LongestWriteGapMs)} ms");
        }
        s.AppendLine($"after the last heal: a write acknowledged in {(FinalRecoveryMs is { } f ? $"{f} ms" : "never")} (bound {RecoveryBoundMs} ms)");
        s.AppendLine(Passed ? "verdict: PASS (0 violations)" : $"verdict: FAIL ({Violations.Count} violations)");
        foreach (var v in Violations.Take(40)) s.AppendLine($"  VIOLATION {v.Kind}: {v.Detail}");
        if (Violations.Count > 40) s.AppendLine($"  … and {Violations.Count - 40} more (see report.txt)");
        return s.ToString();
    }

    public static string Name(FaultKind kind) => kind switch
    {
        FaultKind.OneWayPartition => "one-way-partition",
        FaultKind.RateLimit => "rate-limit",
        FaultKind.WitnessDown => "witness-down",
        var k => k.ToString().ToLowerInvariant(),
    };

    public static string Stats(IEnumerable<long> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return "none";
        long P(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return $"p50 {P(0.50)}, p99 {P(0.99)}, max {sorted[^1]}";
    }
}
