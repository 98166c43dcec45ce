using HotStandby.Core.Settings;

namespace HotStandby.Core.Replication;

public enum OnSyncTimeout { Block, Degrade }

public enum EligibilityDecision { Keep, MarkNotEligible, MarkEligible }

/// <summary>
/// sync mode with <c>on-sync-timeout = degrade</c>: a standby that has not confirmed a write within sync-timeout is
/// marked not eligible for promotion (the primary then commits alone once the voters know); it becomes eligible again
/// once it holds everything the primary has.
/// </summary>
public static class SyncPolicy
{
    public static EligibilityDecision Decide(ReplicationMode mode, OnSyncTimeout onTimeout, bool eligible,
        long oldestUnconfirmedAgeMs, long syncTimeoutMs, long standbyMatch, long lastIndex)
    {
        if (!eligible)
            return standbyMatch >= lastIndex ? EligibilityDecision.MarkEligible : EligibilityDecision.Keep;
        if (mode == ReplicationMode.Sync && onTimeout == OnSyncTimeout.Degrade && oldestUnconfirmedAgeMs >= syncTimeoutMs)
            return EligibilityDecision.MarkNotEligible;
        return EligibilityDecision.Keep;
    }
}
