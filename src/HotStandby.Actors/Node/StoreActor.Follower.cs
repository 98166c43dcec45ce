using Akka.Actor;
using Akka.Event;
using HotStandby.Actors.Protocol;
using HotStandby.Core.Replication;
using HotStandby.Core.Roles;
using HotStandby.Storage;

namespace HotStandby.Actors.Node;

/// <summary>The standby side: the consistency check, truncation of a divergent suffix, durable acks, snapshot install.</summary>
public sealed partial class StoreActor
{
    private readonly List<(IActorRef ReplyTo, AppendAck Ack, long LeaderCommit)> _followerAcks = new();
    private long _leaderCommitSeen;
    private (long Epoch, long Index, FileStream File)? _incoming;
    private readonly RefusalRecord _refusals = new();

    private void OnAppendEntries(AppendEntries m)
    {
        var refusal = FollowerRefusal(m.Epoch);
        if (refusal is not null)
        {
            Sender.Tell(new AppendAck(_settings.NodeId, KnownEpoch, m.Seq, false, 0, m.PrevIndex + 1));
            NoteRefusal($"entries from {m.From} (epoch {m.Epoch})", refusal);
            return;
        }
        switch (FollowerAppend.Decide(_data, m.PrevEpoch, m.PrevIndex, m.Entries))
        {
            case AppendPlan.Reject reject:
                _log.Info("entries from {0} after {1}:{2} do not fit: {3}; asking from {4}", m.From, m.PrevEpoch, m.PrevIndex, reject.Why, reject.NextIndex);
                Sender.Tell(new AppendAck(_settings.NodeId, KnownEpoch, m.Seq, false, 0, reject.NextIndex));
                return;
            case AppendPlan.Accept accept:
                if (accept.TruncateFrom is { } from) TruncateDiverged(from, m.From, m.Epoch);
                foreach (var e in accept.Append) _data.Append(e);
                _leaderCommitSeen = Math.Max(_leaderCommitSeen, m.LeaderCommit);
                _followerAcks.Add((Sender, new AppendAck(_settings.NodeId, KnownEpoch, m.Seq, true, accept.MatchIndex, accept.MatchIndex + 1),
                    Math.Min(m.LeaderCommit, accept.MatchIndex)));
                ScheduleFlush();
                return;
        }
    }

    private string? FollowerRefusal(long epoch) =>
        StandbyProgress.FollowerRefusal(epoch, KnownEpoch, _gate.Epoch, _gate.Role, IsPrimary);

    /// <summary>Keeps the latest refusal for /status (a standby that never catches up says why); logs each new reason once.</summary>
    private void NoteRefusal(string what, string reason)
    {
        var line = $"refused {what}: {reason}";
        var (newReason, textChanged) = _refusals.Note(line, NowMs, DateTime.UtcNow);
        if (newReason) _log.Info(line);
        if (textChanged) MarkProgress();
    }

    private void TruncateDiverged(long from, string primary, long epoch)
    {
        var dropped = _data.LastIndex - from + 1;
        var path = _data.TruncateDiverged(from, $"primary {primary} of epoch {epoch} does not hold these entries");
        if (path is null) return;
        _divergedFiles.Add(path);
        _lastDivergence = $"{dropped} entries from index {from} that primary {primary} (epoch {epoch}) never had were truncated and written to {path}";
        _log.Warning(_lastDivergence);
        MarkProgress();
    }

    private void CompleteFollowerAcks()
    {
        if (_followerAcks.Count == 0) return;
        var applyTo = _followerAcks.Max(a => a.LeaderCommit);
        _data.ApplyThrough(Math.Min(applyTo, _data.DurableIndex));
        foreach (var (replyTo, ack, _) in _followerAcks) replyTo.Tell(ack);
        _followerAcks.Clear();
    }

    private void OnSnapshotChunk(SnapshotChunk c)
    {
        if (FollowerRefusal(c.Epoch) is { } refusal)
        {
            NoteRefusal($"a snapshot chunk from {c.From} (epoch {c.Epoch})", refusal);
            Sender.Tell(new SnapshotChunkAck(_settings.NodeId, KnownEpoch, c.SnapshotIndex, 0, false, true));
            return;
        }
        if (c.Offset == 0)
        {
            CloseIncomingSnapshot();
            _incoming = (c.SnapshotEpoch, c.SnapshotIndex, new FileStream(_data.IncomingSnapshotPath, FileMode.Create, FileAccess.Write));
            _log.Info("receiving snapshot {0}:{1} from {2}", c.SnapshotEpoch, c.SnapshotIndex, c.From);
        }
        if (_incoming is not { } incoming || incoming.Index != c.SnapshotIndex || incoming.File.Length != c.Offset)
        {
            Sender.Tell(new SnapshotChunkAck(_settings.NodeId, KnownEpoch, c.SnapshotIndex, _incoming?.File.Length ?? 0, false, _incoming is null));
            return;
        }
        incoming.File.Write(c.Data);
        if (!c.Last)
        {
            Sender.Tell(new SnapshotChunkAck(_settings.NodeId, KnownEpoch, c.SnapshotIndex, incoming.File.Length, false, false));
            return;
        }
        incoming.File.Flush(flushToDisk: true);
        incoming.File.Dispose();
        _incoming = null;
        try
        {
            var diverged = _data.InstallSnapshot($"replaced by primary {c.From}'s snapshot at {c.SnapshotEpoch}:{c.SnapshotIndex}");
            if (diverged is not null)
            {
                _divergedFiles.Add(diverged);
                _lastDivergence = $"entries not confirmed by primary {c.From}'s snapshot were written to {diverged}";
                _log.Warning(_lastDivergence);
            }
            _log.Info("installed snapshot {0}:{1} from {2} ({3} keys)", c.SnapshotEpoch, c.SnapshotIndex, c.From, _data.State.Count);
            Sender.Tell(new SnapshotChunkAck(_settings.NodeId, KnownEpoch, c.SnapshotIndex, c.Offset + c.Data.Length, true, false));
        }
        catch (CorruptDataException e)
        {
            _log.Warning("snapshot from {0} arrived damaged ({1}); asking again", c.From, e.Message);
            File.Delete(_data.IncomingSnapshotPath);
            Sender.Tell(new SnapshotChunkAck(_settings.NodeId, KnownEpoch, c.SnapshotIndex, 0, false, true));
        }
        MarkProgress();
    }

    private void CloseIncomingSnapshot()
    {
        if (_incoming is not { } incoming) return;
        incoming.File.Dispose();
        _incoming = null;
    }
}
