using HotStandby.Core.Settings;

namespace HotStandby.Core.Replication;

public enum OnSyncTimeout { Block, Degrade }

public enum EligibilityDecision { Keep, MarkNotEligible, MarkEligible }

/// <summary>
/// sync mode with <c>on-sync-timeout = degrade</c>: a standby that has not confirmed a write within sync-timeout is
/// marked not eligible for promotion (the primary then commits alone once the voters know); it becomes eligible again
/// once it holds everything the primary has. A standby the failure detector already gives up on (not heard for
/// acceptable-pause, or DeathWatch fired) is marked at once: no write should wait for a dead node.
/// </summary>
public static class SyncPolicy
{
    public static EligibilityDecision Decide(ReplicationMode mode, OnSyncTimeout onTimeout, bool eligible,
        long oldestUnconfirmedAgeMs, long syncTimeoutMs, long standbyMatch, long lastIndex, bool standbyDown = false)
    {
        if (!eligible)
            return standbyMatch >= lastIndex && !standbyDown ? EligibilityDecision.MarkEligible : EligibilityDecision.Keep;
        if (mode == ReplicationMode.Sync && onTimeout == OnSyncTimeout.Degrade && (oldestUnconfirmedAgeMs >= syncTimeoutMs || standbyDown))
            return EligibilityDecision.MarkNotEligible;
        return EligibilityDecision.Keep;
    }
}
