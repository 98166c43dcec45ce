using HotStandby.Core.Protocol;

namespace HotStandby.Core.Roles;

/// <summary>Heartbeats, acks and the primary's lease.</summary>
public sealed partial class NodeCore
{
    private readonly Dictionary<string, long> _ackedSentAtMs = new(StringComparer.Ordinal);
    private long _becamePrimaryAtMs;

    /// <summary>Two-node mode is availability first and has no majority to hold a lease from.</summary>
    private bool UsesLease => _s.FailoverMode != FailoverMode.TwoNode && _s.VoterCount >= 3;

    private void OnHeartbeat(Heartbeat hb, long nowMs)
    {
        if (hb.From == _s.NodeId)
        {
            _out.Add(new Notice($"a peer claims this node's own id '{hb.From}': duplicate node id in the configuration; ignored"));
            return;
        }
        UpdatePeer(hb, nowMs);
        if (_role == NodeRole.Faulted)
        {
            Reply(hb, accepted: false);
            return;
        }
        if (hb.Epoch > _state.Epoch)
            AdoptEpoch(hb.Epoch, nowMs, $"{hb.From} is {hb.Role.ToWire()} at higher epoch {hb.Epoch}");

        var accepted = false;
        if (hb.Role is NodeRole.Primary or NodeRole.Demoting && hb.Epoch == _state.Epoch)
        {
            if (_role is NodeRole.Primary or NodeRole.Demoting && WinsTie(hb))
            {
                Reply(hb, accepted: false);
                return;
            }
            if (_role is NodeRole.Primary or NodeRole.Demoting)
                StepDown(nowMs, $"{hb.From} is also primary in epoch {hb.Epoch} and wins the tie");
            if (_primaryId != hb.From)
                _out.Add(new Notice($"following {hb.From} as primary of epoch {hb.Epoch}"));
            _primaryId = hb.From;
            _lastKnownPrimary = hb.From;
            _lastPrimaryContactMs = nowMs;
            _knownCommitIndex = Math.Max(_knownCommitIndex, hb.CommitIndex);
            LearnNotEligible(hb);
            EndCandidacy();
            accepted = true;
        }
        Reply(hb, accepted);
    }

    /// <summary>Only in two-node mode can two primaries share an epoch; the preferred one, then the lower id, keeps it.</summary>
    private bool WinsTie(Heartbeat other) =>
        _s.PreferredPrimary != other.PreferredPrimary
            ? _s.PreferredPrimary
            : string.CompareOrdinal(_s.NodeId, other.From) < 0;

    private void Reply(Heartbeat hb, bool accepted) =>
        _out.Add(new SendTo(hb.From, new HeartbeatAck(_s.NodeId, _state.Epoch, hb.Epoch, hb.SentAtMs, accepted, _lastLog)
        {
            NotEligible = _notEligible.Order(StringComparer.Ordinal).ToList(),
        }));

    private void OnHeartbeatAck(HeartbeatAck ack, long nowMs)
    {
        if (_peers.TryGetValue(ack.From, out var view))
            _peers[ack.From] = view with { LastLog = ack.LastLog, LastHeardMs = Math.Max(view.LastHeardMs, nowMs) };
        if (ack.Epoch > _state.Epoch)
        {
            AdoptEpoch(ack.Epoch, nowMs, $"{ack.From} answered from higher epoch {ack.Epoch}");
            return;
        }
        if (!ack.Accepted || _role is not (NodeRole.Primary or NodeRole.Demoting)
            || ack.HeartbeatEpoch != _state.Epoch || ack.EchoSentAtMs < _becamePrimaryAtMs)
            return;
        RecordAckEchoes(ack);
        _ackedSentAtMs[ack.From] = Math.Max(_ackedSentAtMs.GetValueOrDefault(ack.From, long.MinValue), ack.EchoSentAtMs);
        if (_role == NodeRole.Demoting)
            ProgressSwitchover(nowMs);
    }

    /// <summary>
    /// The send time of the newest heartbeat a majority (this node included) has accepted. Voters that accepted it
    /// will not vote for anyone else until acceptable-pause after they received it, which is later than send time + lease.
    /// </summary>
    private long LeaseStartMs()
    {
        var needed = _s.Majority - 1;
        if (needed <= 0) return long.MaxValue / 2;
        if (_ackedSentAtMs.Count < needed) return _becamePrimaryAtMs;
        return _ackedSentAtMs.Values.OrderByDescending(v => v).ElementAt(needed - 1);
    }

    private bool HasMajorityAck()
    {
        var needed = _s.Majority - 1;
        return needed <= 0 || _ackedSentAtMs.Count >= needed;
    }

    /// <summary>Until the first majority ack, a new primary has <c>lease</c> ms from its election to obtain one.</summary>
    private long LeaseDeadline() =>
        UsesLease ? (HasMajorityAck() ? LeaseStartMs() : _becamePrimaryAtMs) + _s.LeaseMs : long.MaxValue;

    private bool LeaseHolds(long nowMs) => !UsesLease || (HasMajorityAck() && nowMs < LeaseDeadline());

    private bool LeaseLost(long nowMs) => UsesLease && nowMs >= LeaseDeadline();

    private void BecomePrimary(long nowMs, string reason)
    {
        EndCandidacy();
        _primaryId = _s.NodeId;
        _becamePrimaryAtMs = nowMs;
        _ackedSentAtMs.Clear();
        _ackedNotEligible.Clear();
        _notEligible.Clear(); // a new primary judges its standby afresh
        _failbackSince = null;
        TransitionTo(NodeRole.Primary, nowMs, reason);
        _out.Add(SendHeartbeatNow.Instance);
    }
}
