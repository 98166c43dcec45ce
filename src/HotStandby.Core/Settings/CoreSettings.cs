using HotStandby.Core.Roles;

namespace HotStandby.Core.Settings;

/// <summary>What the role core needs to decide; all durations in milliseconds of the node's monotonic clock.</summary>
public sealed record CoreSettings(
    string NodeId,
    bool IsWitness,
    bool PreferredPrimary,
    int VoterCount,
    FailoverMode FailoverMode,
    FailbackMode FailbackMode,
    long HeartbeatIntervalMs,
    long PromotionWaitMs,
    long LeaseMs,
    long ElectionTimeoutMs,
    long StableAfterMs,
    long SwitchoverTimeoutMs)
{
    public int Majority => VoterCount / 2 + 1;

    /// <summary>A non-preferred node waits longer before retrying an election so that two standbys do not duel forever.</summary>
    public long RetryWaitMs => PreferredPrimary ? PromotionWaitMs : PromotionWaitMs + PromotionWaitMs / 2;
}
