using HotStandby.Core.Protocol;

namespace HotStandby.Core.Roles;

/// <summary>Pre-vote, vote and promotion. A voter grants at most one vote per epoch and persists it before answering.</summary>
public sealed partial class NodeCore
{
    private enum Phase { None, PreVote, Vote }

    private Phase _phase = Phase.None;
    private readonly HashSet<string> _votes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _refusals = new(StringComparer.Ordinal);
    private long _phaseStartedMs;
    private long _proposedEpoch;
    private bool _transfer;
    private string _electionWhy = "";
    private long _lastElectionEndedMs = long.MinValue / 2;
    private long _lastVoteGrantedMs = long.MinValue / 2;
    private string? _lastVoteGrantedTo;

    private void EvaluateElection(long nowMs)
    {
        if (_s.IsWitness || SelfNotEligible) return;
        if (_phase != Phase.None)
        {
            if (nowMs - _phaseStartedMs >= _s.ElectionTimeoutMs)
            {
                var refusals = string.Join("; ", _refusals.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}: {r.Value}"));
                _out.Add(new Notice($"{(_phase == Phase.PreVote ? "pre-vote" : "election")} for epoch {_proposedEpoch} timed out with {_votes.Count} of {_s.VoterCount} votes ({string.Join(", ", _votes.Order())}){(refusals.Length > 0 ? $"; refused by {refusals}" : "")}"));
                EndCandidacy();
                _lastElectionEndedMs = nowMs;
            }
            else
            {
                RebroadcastCandidacy(); // idempotent for voters; covers lost messages
            }
            return;
        }

        // Someone else moved the epoch on: give its candidate or primary time to show itself.
        var quietSince = Math.Max(Math.Max(_lastPrimaryContactMs, _startedAtMs), Math.Max(_lastVoteGrantedMs, _epochAdoptedMs));
        // At the very first start, give the preferred primary a head start rather than fail back to it later.
        var wait = _state.Epoch == 0 && !_s.PreferredPrimary ? 3 * _s.PromotionWaitMs : _s.PromotionWaitMs;
        if (_lastElectionEndedMs > quietSince)
        {
            quietSince = _lastElectionEndedMs;
            wait = _s.RetryWaitMs;
        }
        if (nowMs - quietSince < wait) return;

        switch (_s.FailoverMode)
        {
            case FailoverMode.Off when !(_state.Epoch == 0 && _s.PreferredPrimary):
                return;
            case FailoverMode.TwoNode:
                PromoteAlone(nowMs);
                return;
        }
        StartPreVote(nowMs, WhyNoPrimary(nowMs));
    }

    /// <summary>Asks for pre-votes for the next epoch; voters apply every rule, so this can never depose a live primary.</summary>
    private void StartPreVote(long nowMs, string why)
    {
        _electionWhy = why;
        _phase = Phase.PreVote;
        _phaseStartedMs = nowMs;
        _proposedEpoch = _state.Epoch + 1;
        _votes.Clear();
        _votes.Add(_s.NodeId);
        _out.Add(new Broadcast(new PreVoteRequest(_s.NodeId, _proposedEpoch, _lastLog)));
    }

    private string WhyNoPrimary(long nowMs)
    {
        if (_lastPrimaryContactMs > long.MinValue / 2)
            return $"primary {(_lastKnownPrimary ?? "?")} unreachable for {nowMs - _lastPrimaryContactMs} ms";
        return _state.Epoch == 0 ? "no primary yet (bootstrap)" : $"no primary heard since start {nowMs - _startedAtMs} ms ago";
    }

    /// <summary>Two-node mode: no one to ask, so bump the epoch durably and take over.</summary>
    private void PromoteAlone(long nowMs)
    {
        var why = WhyNoPrimary(nowMs);
        Persist(_state with { Epoch = _state.Epoch + 1, VotedFor = _s.NodeId });
        BecomePrimary(nowMs, $"{why}, two-node mode promotes without votes");
    }

    private void StartElection(long nowMs, bool transfer, string why)
    {
        _electionWhy = why;
        _phase = Phase.Vote;
        _transfer = transfer;
        _phaseStartedMs = nowMs;
        _proposedEpoch = _state.Epoch + 1;
        _primaryId = null;
        Persist(_state with { Epoch = _proposedEpoch, VotedFor = _s.NodeId });
        _votes.Clear();
        _votes.Add(_s.NodeId);
        _out.Add(new Broadcast(new VoteRequest(_s.NodeId, _proposedEpoch, _lastLog, transfer)));
    }

    private void RebroadcastCandidacy() => _out.Add(new Broadcast(_phase == Phase.PreVote
        ? new PreVoteRequest(_s.NodeId, _proposedEpoch, _lastLog)
        : new VoteRequest(_s.NodeId, _proposedEpoch, _lastLog, _transfer)));

    private void EndCandidacy()
    {
        _phase = Phase.None;
        _refusals.Clear();
        _transfer = false;
        _votes.Clear();
    }

    /// <summary>Why this node will not help depose the primary it follows (or is), or null when it is free to vote.</summary>
    private string? StickyReason(string candidate, long nowMs)
    {
        if (_role is NodeRole.Primary or NodeRole.Demoting)
            return $"{_s.NodeId} is {_role.ToWire()} in epoch {_state.Epoch}";
        if (_primaryId is { } p && p != candidate && nowMs - _lastPrimaryContactMs < _s.PromotionWaitMs)
            return $"heard from primary {p} {nowMs - _lastPrimaryContactMs} ms ago";
        if (nowMs - _startedAtMs < _s.PromotionWaitMs)
            return $"{_s.NodeId} started {nowMs - _startedAtMs} ms ago and may have acked a primary before";
        if (_lastVoteGrantedTo is { } g && g != candidate && nowMs - _lastVoteGrantedMs < _s.PromotionWaitMs)
            return $"voted for {g} {nowMs - _lastVoteGrantedMs} ms ago";
        return null;
    }

    /// <summary>
    /// While the preferred primary is alive, an eligible standby and as up to date, let it stand rather than electing
    /// another node and failing back later. Only pre-votes defer; this never blocks a real vote or a hand-over.
    /// </summary>
    private string? DeferenceReason(string candidate, LogPosition candidateLog, long nowMs)
    {
        if (_peers.TryGetValue(candidate, out var c) && c.PreferredPrimary) return null;
        if (_s.PreferredPrimary && !_s.IsWitness && _role == NodeRole.Standby && _lastLog >= candidateLog)
            return $"{_s.NodeId} is the preferred primary and stands itself";
        var preferred = _peers.Values.FirstOrDefault(p => p.PreferredPrimary && p.NodeId != candidate && p.Role == NodeRole.Standby
            && p.Eligible && nowMs - p.LastHeardMs < _s.PromotionWaitMs && p.LastLog >= candidateLog);
        return preferred is null ? null : $"preferred primary {preferred.NodeId} is healthy and stands itself";
    }

    private string? LogBehindReason(LogPosition candidateLog)
    {
        if (candidateLog < _lastLog) return $"candidate log {candidateLog} is behind {_lastLog}";
        if (candidateLog.Index < _knownCommitIndex) return $"candidate log {candidateLog} lacks commit index {_knownCommitIndex}";
        return null;
    }

    private void OnPreVoteRequest(PreVoteRequest r, long nowMs)
    {
        var refusal = _role == NodeRole.Faulted ? $"{_s.NodeId} is faulted"
            : r.Epoch <= _state.Epoch ? $"epoch {r.Epoch} is not above {_state.Epoch}"
            : StickyReason(r.From, nowMs) ?? NotEligibleReason(r.From) ?? LogBehindReason(r.LastLog) ?? DeferenceReason(r.From, r.LastLog, nowMs);
        _out.Add(new SendTo(r.From, new PreVoteResponse(_s.NodeId, r.Epoch, refusal is null, refusal ?? "granted")));
    }

    private void OnPreVoteResponse(PreVoteResponse r, long nowMs)
    {
        if (_phase != Phase.PreVote || r.Epoch != _proposedEpoch) return;
        if (!r.Granted)
        {
            _refusals[r.From] = r.Reason;
            return;
        }
        _votes.Add(r.From);
        if (_votes.Count >= _s.Majority)
            StartElection(nowMs, transfer: false, _electionWhy);
    }

    private void OnVoteRequest(VoteRequest r, long nowMs)
    {
        var refusal = _role == NodeRole.Faulted ? $"{_s.NodeId} is faulted"
            : r.Epoch < _state.Epoch ? $"epoch {r.Epoch} is below {_state.Epoch}"
            : r.Transfer ? null
            : StickyReason(r.From, nowMs);
        if (refusal is null)
        {
            refusal = r.Epoch == _state.Epoch && _state.VotedFor is { } v && v != r.From
                ? $"already voted for {v} in epoch {_state.Epoch}"
                : NotEligibleReason(r.From) ?? LogBehindReason(r.LastLog);
            var why = $"{r.From} stands for epoch {r.Epoch}";
            if (r.Epoch > _state.Epoch)
                AdoptEpoch(r.Epoch, nowMs, why, votedFor: refusal is null ? r.From : null); // epoch and vote in one fsync
            else if (refusal is null && _state.VotedFor != r.From)
                Persist(_state with { VotedFor = r.From });
        }
        if (refusal is null)
        {
            _lastVoteGrantedMs = nowMs;
            _lastVoteGrantedTo = r.From;
        }
        _out.Add(new SendTo(r.From, new VoteResponse(_s.NodeId, _state.Epoch, refusal is null, refusal ?? "granted")));
    }

    private void OnVoteResponse(VoteResponse r, long nowMs)
    {
        if (r.Epoch > _state.Epoch)
        {
            AdoptEpoch(r.Epoch, nowMs, $"{r.From} is at higher epoch {r.Epoch}");
            return;
        }
        if (_phase != Phase.Vote || r.Epoch != _state.Epoch) return;
        if (!r.Granted)
        {
            _refusals[r.From] = r.Reason;
            return;
        }
        _votes.Add(r.From);
        if (_votes.Count >= _s.Majority)
        {
            var voters = string.Join(", ", _votes.Where(v => v != _s.NodeId).Order(StringComparer.Ordinal));
            BecomePrimary(nowMs, $"{_electionWhy}, {voters} voted");
        }
    }

    private void OnTimeoutNow(TimeoutNow t, long nowMs)
    {
        if (_s.IsWitness || _role != NodeRole.Standby || t.Epoch != _state.Epoch)
        {
            _out.Add(new Notice($"ignored hand-over from {t.From} for epoch {t.Epoch} (this node is {_role.ToWire()} at epoch {_state.Epoch})"));
            return;
        }
        StartElection(nowMs, transfer: true, $"{t.From} handed over ({t.Reason})");
    }
}
