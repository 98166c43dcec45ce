using HotStandby.Core.Protocol;

namespace HotStandby.Core.Roles;

/// <summary>Planned hand-over: operator switchover, automatic failback and hand-over at shutdown.</summary>
public sealed partial class NodeCore
{
    private sealed record SwitchoverState(string Target, long StartedMs, string Reason);

    private SwitchoverState? _switchover;
    private (string NodeId, long SinceMs)? _failbackSince;

    private void OnSwitchover(SwitchoverCommand c, long nowMs)
    {
        var (ok, message) = TryBeginSwitchover(c.Target, c.Reason, nowMs);
        _out.Add(new CommandResult(ok, message));
    }

    private void OnShutdown(long nowMs)
    {
        if (_role != NodeRole.Primary)
        {
            _out.Add(new CommandResult(true, $"{_s.NodeId} is {_role.ToWire()}: nothing to hand over"));
            return;
        }
        var (ok, message) = TryBeginSwitchover(null, "shutdown", nowMs);
        _out.Add(new CommandResult(ok, message));
    }

    private (bool Ok, string Message) TryBeginSwitchover(string? target, string reason, long nowMs)
    {
        if (_role == NodeRole.Demoting && _switchover is { } current)
            return (false, $"a switchover to {current.Target} is already under way");
        if (_role == NodeRole.Standby && !_s.IsWitness && (target is null || target == _s.NodeId))
            return TryOperatorPromotion(reason, nowMs);
        if (_role != NodeRole.Primary)
            return (false, $"{_s.NodeId} is {_role.ToWire()}, not primary; the primary is {_primaryId ?? "unknown"}");
        if (target == _s.NodeId)
            return (false, $"{_s.NodeId} is already primary");

        PeerView? chosen;
        if (target is null)
        {
            chosen = _peers.Values.Where(p => PeerHealthy(p, nowMs)).OrderByDescending(p => p.LastLog).FirstOrDefault();
            if (chosen is null) return (false, "no healthy standby to hand over to");
        }
        else
        {
            if (!_peers.TryGetValue(target, out chosen))
                return (false, $"unknown node '{target}'; known peers: {string.Join(", ", _peers.Keys.Order())}");
            if (!chosen.IsDataNode)
                return (false, $"'{target}' is a witness and holds no data");
            if (!PeerHealthy(chosen, nowMs))
                return (false, $"'{target}' is not a healthy standby (role {chosen.Role.ToWire()}, last heard {nowMs - chosen.LastHeardMs} ms ago)");
        }

        _switchover = new SwitchoverState(chosen.NodeId, nowMs, reason);
        _failbackSince = null;
        TransitionTo(NodeRole.Demoting, nowMs, $"switchover to {chosen.NodeId} ({reason}): writes stopped until it holds the commit point");
        ProgressSwitchover(nowMs);
        return (true, $"switchover to {chosen.NodeId} started");
    }

    /// <summary>
    /// No primary to hand over from (failover.mode = off, or a failed election): the operator asks this standby to stand
    /// now. Votes are still needed and voters still refuse while they hear a primary, so this cannot make a second one.
    /// </summary>
    private (bool Ok, string Message) TryOperatorPromotion(string reason, long nowMs)
    {
        if (_primaryId is { } p && nowMs - _lastPrimaryContactMs < _s.PromotionWaitMs)
            return (false, $"{_s.NodeId} follows primary {p} (heard {nowMs - _lastPrimaryContactMs} ms ago); ask the primary for a switchover");
        if (_phase != Phase.None)
            return (false, $"{_s.NodeId} is already standing for epoch {_proposedEpoch}");
        if (_s.FailoverMode == FailoverMode.TwoNode)
        {
            PromoteAlone(nowMs);
            return (true, $"{_s.NodeId} promoted itself (two-node mode, {reason})");
        }
        StartPreVote(nowMs, $"{reason}: {WhyNoPrimary(nowMs)}");
        return (true, $"no primary is known: {_s.NodeId} stands for epoch {_proposedEpoch} (needs a majority of votes)");
    }

    private void ProgressSwitchover(long nowMs)
    {
        if (_role != NodeRole.Demoting || _switchover is not { } sw) return;
        var target = _peers.GetValueOrDefault(sw.Target);
        // With a store, wait for its word that writes have stopped, so that the log position compared is final.
        var logFinal = !_storeAttached || _logSealed;
        if (logFinal && target is not null && target.LastLog >= _lastLog && nowMs - target.LastHeardMs < _s.PromotionWaitMs)
        {
            _out.Add(new SendTo(sw.Target, new TimeoutNow(_s.NodeId, _state.Epoch, sw.Reason)));
            _switchover = null;
            _primaryId = null;
            // Count the hand-over as fresh primary contact, so this node waits for the successor instead of running itself.
            _lastPrimaryContactMs = nowMs;
            _lastKnownPrimary = sw.Target;
            TransitionTo(NodeRole.Standby, nowMs, $"handed over to {sw.Target} ({sw.Reason}); it holds {target.LastLog}");
            return;
        }
        if (nowMs - sw.StartedMs >= _s.SwitchoverTimeoutMs)
        {
            _switchover = null;
            TransitionTo(NodeRole.Primary, nowMs,
                $"switchover to {sw.Target} timed out after {nowMs - sw.StartedMs} ms: it did not confirm {_lastLog}; resuming");
        }
    }

    private PeerView? FailbackCandidate(long nowMs) =>
        _s.PreferredPrimary || _s.FailbackMode == FailbackMode.Off
            ? null
            : _peers.Values.FirstOrDefault(p => p.PreferredPrimary && PeerHealthy(p, nowMs) && CaughtUp(p));

    /// <summary>While writes flow a standby's reported position always trails a little; the store's view decides then.</summary>
    private bool CaughtUp(PeerView p) => _caughtUp?.Contains(p.NodeId) ?? p.LastLog >= _lastLog;

    private void EvaluateFailback(long nowMs)
    {
        var candidate = FailbackCandidate(nowMs);
        if (candidate is null)
        {
            _failbackSince = null;
            return;
        }
        if (_failbackSince?.NodeId != candidate.NodeId)
        {
            _failbackSince = (candidate.NodeId, nowMs);
            return;
        }
        var stableFor = nowMs - _failbackSince.Value.SinceMs;
        if (_s.FailbackMode == FailbackMode.Auto && stableFor >= _s.StableAfterMs)
            TryBeginSwitchover(candidate.NodeId, $"failback: preferred primary {candidate.NodeId} healthy and caught up for {stableFor} ms", nowMs);
    }

    private string? FailbackPendingText(long nowMs)
    {
        if (_role != NodeRole.Primary || _failbackSince is not { } since) return null;
        return _s.FailbackMode == FailbackMode.Manual
            ? $"{since.NodeId} is healthy and caught up for {nowMs - since.SinceMs} ms; failback is manual: run 'hotstandby switchover --to {since.NodeId}'"
            : $"{since.NodeId} is healthy and caught up for {nowMs - since.SinceMs} ms; failback after {_s.StableAfterMs} ms";
    }
}
