namespace HotStandby.Core.Roles;

/// <summary>
/// Akka quarantines a peer's incarnation once DeathWatch fires; the two cannot talk again until one side starts a new
/// actor system. This decides, from what the node hears, whether this node should be the one to restart:
/// <list type="bullet">
/// <item>it hears no peer at all (it was isolated, or everyone else is gone: a restart costs nothing), or</item>
/// <item>a peer it hears still hears the peer DeathWatch reported dead, so that peer is alive behind a quarantine; then the
/// side that is not primary restarts (the lower id keeps its incarnation when neither is primary).</item>
/// </list>
/// A dead peer is never heard by anyone, so it causes no restart; a new incarnation establishes no DeathWatch with an
/// unreachable peer, so one partition causes at most one restart.
/// </summary>
public static class QuarantineRecovery
{
    /// <summary>
    /// Longer than Akka needs to reconnect a healed link on its own (connection-timeout 2 s + retry gate 1 s in
    /// reference.conf), so that only a link that stays closed causes a restart.
    /// </summary>
    public static long RestartAfterMs(long promotionWaitMs) => Math.Max(2 * promotionWaitMs, 3000);

    public static string? Decide(string self, NodeRole selfRole, IEnumerable<PeerView> peers, long nowMs, long freshMs, long restartAfterMs)
    {
        var all = peers.ToList();
        var heard = all.Where(p => nowMs - p.LastHeardMs < freshMs).ToList();
        foreach (var lost in all)
        {
            if (lost.TerminatedAtMs is not { } at || nowMs - at < restartAfterMs || nowMs - lost.LastHeardMs < restartAfterMs)
                continue;
            if (heard.Count == 0)
                return $"DeathWatch quarantined {lost.NodeId} {nowMs - at} ms ago and no peer is heard: restarting to get a new incarnation";
            var witness = heard.FirstOrDefault(q => q.Hears.Contains(lost.NodeId));
            if (witness is null) continue; // nobody hears it: it is down, not quarantined
            var lostIsPrimary = heard.Any(q => q.PrimaryId == lost.NodeId);
            var selfIsPrimary = selfRole is NodeRole.Primary or NodeRole.Demoting;
            if (selfIsPrimary && !lostIsPrimary) continue;
            if (!lostIsPrimary && !selfIsPrimary && string.CompareOrdinal(self, lost.NodeId) < 0) continue;
            return $"{witness.NodeId} still hears {lost.NodeId}, which DeathWatch quarantined {nowMs - at} ms ago: restarting to get a new incarnation";
        }
        return null;
    }
}
