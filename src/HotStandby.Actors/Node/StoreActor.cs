using Akka.Actor;
using Akka.Event;
using HotStandby.Actors.Protocol;
using HotStandby.Core.Replication;
using HotStandby.Core.Roles;
using HotStandby.Core.Settings;
using HotStandby.Storage;

namespace HotStandby.Actors.Node;

/// <summary>
/// Owns the data directory's log, snapshots and applied state: the only writer. On the primary it appends client
/// writes (group commit), pushes them to the replication senders and acknowledges each write at its commit point; on
/// a standby it takes the primary's entries, truncates what the primary never had (to <c>diverged/</c>), appends,
/// fsyncs and acknowledges its durable position. Partial files: primary side, standby side.
/// </summary>
public sealed partial class StoreActor : ReceiveActor, IWithTimers
{
    public const string Name = "store";

    private sealed record Flush
    {
        public static readonly Flush Instance = new();
    }

    private sealed record Housekeeping
    {
        public static readonly Housekeeping Instance = new();
    }

    private sealed record SnapshotDone(SnapshotJob Job, Exception? Error);

    private readonly NodeSettings _settings;
    private readonly DataStore _data;
    private readonly IActorRef _supervisor;
    private readonly IMonotonicClock _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<string> _divergedFiles;
    private WriteGate _gate = new(0, NodeRole.Starting, null, long.MinValue, Array.Empty<string>(), Array.Empty<string>(), Array.Empty<string>(), Array.Empty<string>());
    private bool _flushScheduled;
    private bool _snapshotRunning;
    private StoreProgress? _lastProgress;
    private string? _lastDivergence;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeSettings settings, DataStore data, IActorRef supervisor, IMonotonicClock clock) =>
        Akka.Actor.Props.Create(() => new StoreActor(settings, data, supervisor, clock));

    public StoreActor(NodeSettings settings, DataStore data, IActorRef supervisor, IMonotonicClock clock)
    {
        _settings = settings;
        _data = data;
        _supervisor = supervisor;
        _clock = clock;
        _divergedFiles = DivergedFile.List(data.DataDir).ToList();

        Receive<WriteGate>(OnGate);
        Receive<ClientWrite>(OnClientWrite);
        Receive<ClientRead>(OnClientRead);
        Receive<Flush>(_ => OnFlush());
        Receive<Housekeeping>(_ => OnHousekeeping());
        Receive<SnapshotDone>(OnSnapshotDone);
        Receive<RegisterSender>(OnRegisterSender);
        Receive<ReadEntries>(OnReadEntries);
        Receive<PeerMatched>(OnPeerMatched);
        Receive<Terminated>(t => _senders.Remove(t.ActorRef));
        Receive<AppendEntries>(OnAppendEntries);
        Receive<SnapshotChunk>(OnSnapshotChunk);
    }

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("housekeeping", Housekeeping.Instance, TimeSpan.FromMilliseconds(20));
        _log.Info("store at {0}: log {1}, applied {2}, snapshot {3}, {4} keys, fsync {5}", _data.DataDir, _data.LastLog,
            _data.State.Applied, _data.Snapshot, _data.State.Count, _settings.Storage.Fsync.ToString().ToLowerInvariant());
        PublishProgress();
    }

    protected override void PostStop()
    {
        FailAllPending("the store stopped");
        CloseIncomingSnapshot();
    }

    private long NowMs => _clock.NowMs;

    private long SyncTimeoutMs => (long)_settings.Replication.SyncTimeout.TotalMilliseconds;

    /// <summary>The highest epoch this node knows: entries from a lower one are refused.</summary>
    private long KnownEpoch => Math.Max(_gate.Epoch, _data.LastLog.Epoch);

    private void OnGate(WriteGate gate)
    {
        var previous = _gate;
        _gate = gate;
        var primaryNow = gate.Role is NodeRole.Primary or NodeRole.Demoting;
        var primaryBefore = previous.Role is NodeRole.Primary or NodeRole.Demoting;
        if (primaryNow && (!primaryBefore || gate.Epoch != previous.Epoch)) BeginEpochAsPrimary();
        else if (!primaryNow && primaryBefore) EndPrimary($"this node is now {gate.Role.ToWire()} in epoch {gate.Epoch}");
        if (primaryNow) AdvanceCommit();
        if (gate.Role == NodeRole.Demoting && previous.Role != NodeRole.Demoting)
        {
            // Every write accepted so far is in the log (the mailbox is in order); say so now, not at the next round.
            OnFlush();
            PublishProgress();
        }
    }

    /// <summary>Makes appended entries durable: one fsync for everything queued since the last one (group commit).</summary>
    private void ScheduleFlush()
    {
        if (_settings.Storage.Fsync == FsyncMode.Always)
        {
            OnFlush();
            return;
        }
        if (_flushScheduled) return;
        _flushScheduled = true;
        Self.Tell(Flush.Instance); // runs after every message already queued: those appends share this fsync
    }

    private void OnFlush()
    {
        _flushScheduled = false;
        PushBatchToSenders();
        _data.Sync();
        if (IsPrimary) AdvanceCommit();
        else CompleteFollowerAcks();
        MarkProgress();
    }

    private void OnHousekeeping()
    {
        if (IsPrimary)
        {
            ExpirePendingWrites();
            EvaluateSyncPolicy();
        }
        MaybeSnapshot();
        if (_progressDirty) PublishProgress();
    }

    private void MaybeSnapshot()
    {
        if (_snapshotRunning) return;
        var safe = IsPrimary ? Math.Min(_data.State.Applied.Index, ReplicatedIndex) : _data.State.Applied.Index;
        if (_data.PlanSnapshot(safe) is not { } job) return;
        _snapshotRunning = true;
        var self = Self;
        Task.Run(() =>
        {
            try
            {
                job.Run();
                self.Tell(new SnapshotDone(job, null));
            }
            catch (Exception e)
            {
                self.Tell(new SnapshotDone(job, e));
            }
        });
    }

    private void OnSnapshotDone(SnapshotDone done)
    {
        _snapshotRunning = false;
        if (done.Error is { } e)
        {
            _log.Error(e, "snapshot at {0} failed; the log is kept", done.Job.Position);
            return;
        }
        _data.SnapshotWritten(done.Job);
        _log.Info("snapshot at {0} written ({1} keys, {2:F1} MiB in {3:F0} ms); log compacted to start at {4}", done.Job.Position,
            done.Job.Data.Count, done.Job.Written.Bytes / 1048576.0, done.Job.Written.Took.TotalMilliseconds, _data.FirstLogIndex);
        MarkProgress();
    }

    private bool _progressDirty;

    private void MarkProgress() => _progressDirty = true;

    private void PublishProgress()
    {
        _progressDirty = false;
        var progress = new StoreProgress(_data.DurableLog, IsPrimary ? _commit : _data.State.Applied.Index, _data.State.Applied.Index,
            IsPrimary ? ReplicatedIndex : _data.State.Applied.Index, CaughtUpStandbys(), Report())
        {
            Sealed = _gate.Role == NodeRole.Demoting,
        };
        if (progress == _lastProgress) return;
        _lastProgress = progress;
        _supervisor.Tell(progress);
    }

    private ReplicationReport Report()
    {
        var mode = _settings.ReplicationMode == ReplicationMode.Sync ? "sync" : "async";
        if (!IsPrimary)
            return new ReplicationReport(mode, InSync: _gate.PrimaryId is not null && _data.State.Applied.Index >= _leaderCommitSeen,
                LagEntries: null, LagMs: null, null, null, null, _data.Snapshot, _data.State.Count, _divergedFiles, _lastDivergence, _writesAcknowledged, _refusals.Text);
        var now = NowMs;
        var lagEntries = _standbyId is null ? (long?)null : Math.Max(0, _data.LastIndex - _standbyMatch);
        var lagMs = _standbyId is null ? (long?)null : _lag.LagMs(now);
        var eligible = !StandbyMarkedNotEligible;
        var inSync = StandbyProgress.InSync(_standbyId is not null, !StandbyMarkedNotEligible, lagMs ?? 0, SyncTimeoutMs);
        return new ReplicationReport(mode, inSync, lagEntries, lagMs, _standbyId, eligible, _standbyId is null ? null : _standbyMatch,
            _data.Snapshot, _data.State.Count, _divergedFiles, _lastDivergence, _writesAcknowledged, _refusals.Text);
    }
}
