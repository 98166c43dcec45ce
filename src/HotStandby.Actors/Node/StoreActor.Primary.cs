using Akka.Actor;
using Akka.Event;
using HotStandby.Actors.Protocol;
using HotStandby.Core.Data;
using HotStandby.Core.Replication;
using HotStandby.Core.Roles;
using HotStandby.Core.Settings;

namespace HotStandby.Actors.Node;

/// <summary>The primary side: client writes, group commit, the commit point and the sync policy.</summary>
public sealed partial class StoreActor
{
    /// <summary>Where a write's answer goes: its reply task when it has one (HTTP writes), else its sender.</summary>
    private readonly record struct WriteReply(IActorRef Sender, TaskCompletionSource<object>? Task)
    {
        public void Send(object answer)
        {
            if (Task is not null) Task.TrySetResult(answer);
            else Sender.Tell(answer);
        }
    }

    private sealed record PendingWrite(long Index, WriteReply Reply, long StartedMs);

    private readonly Dictionary<IActorRef, string> _senders = new();
    private readonly Queue<PendingWrite> _pending = new();
    private readonly Dictionary<string, (long Index, bool Exists)> _pendingKeys = new(StringComparer.Ordinal);
    private readonly ReplicationLag _lag = new();
    private List<LogEntry> _batch = new();
    private long _primaryEpoch;
    private long _epochStart;
    private long _commit;
    private string? _standbyId;
    private long _standbyMatch;
    private long _writesAcknowledged;

    private bool IsPrimary => _primaryEpoch != 0;

    /// <summary>The standby's name in eligibility lists: its id, or "any standby" while none is known.</summary>
    private string StandbyKey => _standbyId ?? NodeCore.AnyStandby;

    private bool StandbyMarkedNotEligible => _gate.NotEligible.Contains(StandbyKey) || _gate.NotEligible.Contains(NodeCore.AnyStandby);

    private bool StandbyExcused => _gate.Excused.Contains(StandbyKey) || _gate.Excused.Contains(NodeCore.AnyStandby);

    private long ReplicatedIndex => _standbyId is null ? 0 : CommitRule.Replicated(_data.DurableIndex, _standbyMatch);

    private void BeginEpochAsPrimary()
    {
        if (IsPrimary) EndPrimary($"epoch moved to {_gate.Epoch}");
        _followerAcks.Clear();
        CloseIncomingSnapshot();
        _primaryEpoch = _gate.Epoch;
        _commit = _data.State.Applied.Index; // what a standby applied was committed by an earlier primary
        _standbyMatch = 0;
        _standbyId = _gate.DataPeers.FirstOrDefault();
        _lag.Clear();
        var noop = LogEntry.Noop(_primaryEpoch, _data.LastIndex + 1);
        _epochStart = noop.Index;
        _data.Append(noop);
        _batch.Add(noop);
        _lag.Appended(noop.Index, NowMs);
        _log.Info("primary of epoch {0}: log {1}, committed {2}; epoch starts at index {3}", _primaryEpoch, _data.LastLog, _commit, _epochStart);
        ScheduleFlush();
    }

    private void EndPrimary(string reason)
    {
        FailAllPending($"this node is no longer primary ({reason}); the write may or may not have been committed");
        _pendingKeys.Clear();
        _primaryEpoch = 0;
        _batch = new List<LogEntry>();
        MarkProgress();
    }

    private void FailAllPending(string why)
    {
        while (_pending.TryDequeue(out var p)) p.Reply.Send(new WriteRefused(503, why));
    }

    private void OnClientWrite(ClientWrite w)
    {
        var now = NowMs;
        var reply = new WriteReply(Sender, w.Reply);
        if (_gate.Role != NodeRole.Primary || !IsPrimary)
        {
            reply.Send(new WriteRefused(503, _gate.Role == NodeRole.Demoting
                ? "a switchover is in progress; retry on the new primary"
                : $"this node is {_gate.Role.ToWire()}, not primary; the primary is {_gate.PrimaryId ?? "unknown"}",
                NotPrimary: _gate.Role != NodeRole.Demoting));
            return;
        }
        if (now >= _gate.WritableUntilMs)
        {
            reply.Send(new WriteRefused(503, "the primary's lease has lapsed (no heartbeat ack from a majority); retry"));
            return;
        }
        if (w.Kind == EntryKind.Delete)
        {
            var exists = _pendingKeys.TryGetValue(w.Key, out var p) ? p.Exists : _data.State.Contains(w.Key);
            if (!exists)
            {
                reply.Send(new WriteRefused(404, $"no key '{w.Key}'"));
                return;
            }
        }
        var entry = new LogEntry(_primaryEpoch, _data.LastIndex + 1, w.Kind, w.Key, w.Value);
        _data.Append(entry);
        _batch.Add(entry);
        _pendingKeys[w.Key] = (entry.Index, w.Kind == EntryKind.Put);
        _pending.Enqueue(new PendingWrite(entry.Index, reply, now));
        _lag.Appended(entry.Index, now);
        ScheduleFlush();
    }

    private void OnClientRead(ClientRead r)
    {
        var applied = _data.State.Applied.Index;
        if (IsPrimary)
        {
            if (NowMs >= _gate.WritableUntilMs)
            {
                Sender.Tell(new ReadResult(503, null, applied, "the primary's lease has lapsed; it cannot vouch that its data is current"));
                return;
            }
            if (_commit < _epochStart)
            {
                Sender.Tell(new ReadResult(503, null, applied, "the new primary has not yet committed its first entry; retry"));
                return;
            }
        }
        var result = _data.State.TryGet(r.Key, out var value)
            ? new ReadResult(200, value, applied, null)
            : new ReadResult(404, null, applied, $"no key '{r.Key}'");
        Sender.Tell(result with { FromPrimary = IsPrimary, Epoch = KnownEpoch });
    }

    private void PushBatchToSenders()
    {
        if (_batch.Count == 0) return;
        if (_senders.Count > 0)
        {
            var message = new EntriesAppended(_batch, _commit);
            foreach (var sender in _senders.Keys) sender.Tell(message);
        }
        _batch = new List<LogEntry>();
    }

    private void AdvanceCommit()
    {
        if (!IsPrimary) return;
        var excused = StandbyExcused;
        var commit = CommitRule.Commit(_settings.ReplicationMode, _commit, _data.DurableIndex, _standbyMatch, excused, _epochStart);
        if (commit <= _commit) return;
        _commit = commit;
        var leaseHolds = NowMs < _gate.WritableUntilMs;
        _data.ApplyThrough(commit, e =>
        {
            if (_pendingKeys.TryGetValue(e.Key, out var p) && p.Index == e.Index) _pendingKeys.Remove(e.Key);
        });
        while (_pending.TryPeek(out var head) && head.Index <= commit)
        {
            _pending.Dequeue();
            if (leaseHolds) _writesAcknowledged++;
            head.Reply.Send(leaseHolds
                ? new WriteCommitted(_primaryEpoch, head.Index)
                : new WriteRefused(503, "the primary's lease lapsed before the write was confirmed; it may or may not survive"));
        }
        foreach (var sender in _senders.Keys) sender.Tell(new CommitAdvanced(commit));
        MarkProgress();
    }

    private void ExpirePendingWrites()
    {
        var limit = (long)_settings.Replication.WriteTimeout.TotalMilliseconds;
        var now = NowMs;
        while (_pending.TryPeek(out var head) && now - head.StartedMs >= limit)
        {
            _pending.Dequeue();
            head.Reply.Send(new WriteRefused(503,
                $"not confirmed by the standby within replication.write-timeout ({limit} ms); the write may still commit"));
        }
    }

    private void EvaluateSyncPolicy()
    {
        _standbyId ??= _gate.DataPeers.FirstOrDefault();
        if (_standbyId is not null && _gate.NotEligible.Contains(NodeCore.AnyStandby))
        {
            // The standby is known now: name it instead of "any standby", then drop the wildcard.
            _supervisor.Tell(_gate.NotEligible.Contains(_standbyId)
                ? new EligibilityRequest(NodeCore.AnyStandby, true, $"the standby is known now: {_standbyId}")
                : new EligibilityRequest(_standbyId, false, "named in place of 'any standby'"));
            return;
        }
        var lagMs = _lag.LagMs(NowMs);
        var decision = SyncPolicy.Decide(_settings.ReplicationMode, _settings.Replication.OnSyncTimeout, !StandbyMarkedNotEligible,
            lagMs, SyncTimeoutMs, _standbyMatch, _data.LastIndex,
            standbyDown: _gate.DownPeers.Contains(_standbyId));
        switch (decision)
        {
            case EligibilityDecision.MarkNotEligible:
                _supervisor.Tell(new EligibilityRequest(StandbyKey, false, _gate.DownPeers.Contains(_standbyId)
                    ? "it is down (failure detector); writes continue without it"
                    : $"sync replication unconfirmed for {lagMs} ms (sync-timeout {SyncTimeoutMs} ms); writes continue without it"));
                break;
            case EligibilityDecision.MarkEligible:
                _supervisor.Tell(new EligibilityRequest(StandbyKey, true, $"caught up at index {_standbyMatch}"));
                break;
        }
        MarkProgress();
    }

    private IReadOnlyCollection<string> CaughtUpStandbys()
    {
        if (!IsPrimary || _standbyId is null || StandbyMarkedNotEligible) return Array.Empty<string>();
        var window = (long)_settings.Replication.MaxBatchEntries * _settings.Replication.MaxInFlightBatches;
        var caughtUp = StandbyProgress.CaughtUp(eligible: true, _data.LastIndex, _standbyMatch, _lag.LagMs(NowMs), window, SyncTimeoutMs);
        return caughtUp ? new[] { _standbyId } : Array.Empty<string>();
    }

    private void OnRegisterSender(RegisterSender r)
    {
        if (!IsPrimary || r.Epoch != _primaryEpoch) return; // a sender of an ended epoch; the supervisor stops it
        _senders[Sender] = r.PeerId;
        Context.Watch(Sender);
        if (_standbyId != r.PeerId)
        {
            _standbyId = r.PeerId;
            _standbyMatch = 0;
        }
        Sender.Tell(new SenderWelcome(_data.LastIndex, _commit));
    }

    private void OnReadEntries(ReadEntries r)
    {
        if (r.From < _data.FirstLogIndex && r.From <= _data.SnapshotIndex && _data.SnapshotPath is { } path)
        {
            Sender.Tell(new SnapshotNeeded(path, _data.Snapshot));
            return;
        }
        var entries = _data.Read(r.From, r.MaxCount, r.MaxBytes);
        Sender.Tell(new EntriesRead(r.From, _data.EpochAt(r.From - 1), entries, _commit, _data.LastIndex));
    }

    private void OnPeerMatched(PeerMatched m)
    {
        if (!IsPrimary || m.Epoch != _primaryEpoch || m.PeerId != _standbyId || m.MatchIndex <= _standbyMatch) return;
        _standbyMatch = m.MatchIndex;
        _lag.Confirmed(m.MatchIndex);
        AdvanceCommit();
        MarkProgress();
    }
}
