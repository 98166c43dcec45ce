using HotStandby.Chaos.Workload;

namespace HotStandby.Chaos.Checking;

/// <summary>Everything the checker judges: the recorded history, the faults as carried out, and the final data.</summary>
public sealed record CheckInput(
    IReadOnlyList<OpRecord> Ops,
    IReadOnlyList<StatusSample> Samples,
    IReadOnlyList<AppliedFault> Faults,
    long LastHealMs,
    string? FinalPrimary,
    IReadOnlyDictionary<string, NodeData> Data,
    long RecoveryBoundMs,
    bool SyncMode);
