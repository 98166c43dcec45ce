using Akka.Actor;
using Akka.Event;
using HotStandby.Actors.Protocol;
using HotStandby.Core.Data;
using HotStandby.Core.Replication;
using HotStandby.Core.Settings;

namespace HotStandby.Actors.Node;

/// <summary>
/// The primary's link to one standby for one epoch: ships entries in batches with several in flight, backs up to the
/// last common (epoch, index) when the standby refuses, sends the snapshot in chunks when the standby is behind the
/// compaction point, and reports the standby's durable position to the store. Started and stopped by the supervisor.
/// </summary>
public sealed class ReplicationSender : ReceiveActor, IWithTimers
{
    private sealed record Resend
    {
        public static readonly Resend Instance = new();
    }

    /// <summary>The oldest ready entry has waited async-batch-delay: ship what is ready.</summary>
    private sealed record Coalesced
    {
        public static readonly Coalesced Instance = new();
    }

    private sealed record InFlight(long Generation, long PrevIndex, long LastIndex, long SentMs);

    private const int SnapshotWindow = 4;
    private const int MaxReady = 65_536;

    private readonly NodeSettings _settings;
    private readonly string _peerId;
    private readonly long _epoch;
    private readonly ActorSelection _peerStore;
    private readonly IActorRef _store;
    private readonly IMonotonicClock _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<long, InFlight> _inFlight = new();
    private readonly List<LogEntry> _ready = new();
    private long _oldestReadyMs;
    private bool _coalesceScheduled;
    private long _generation;
    private int _batchEntries; // halved when batches go unanswered (a message the transport refused), restored on acks
    private long _seq;
    private long _nextIndex = -1;
    private long _prevEpoch = -1; // the epoch of entry _nextIndex - 1; -1 = unknown, read it from the store
    private long _storeLast;
    private long _commit;
    private long _commitSent = -1;
    private long _match;
    private bool _readOutstanding;
    private bool _deposed;
    private SnapshotTransfer? _snapshot;

    private sealed class SnapshotTransfer(string path, long epoch, long index)
    {
        public FileStream File { get; } = new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        public long Epoch { get; } = epoch;
        public long Index { get; } = index;
        public long NextOffset { get; set; }
        public long Acked { get; set; }
        public long LastProgressMs { get; set; }
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// Where a host may run the senders (the data loop, beside the store): the store tells its sender of every flush and
    /// every commit point, and on the thread pool each such message was a worker's wake-up.
    /// </summary>
    public const string DispatcherId = "akka.actor.replication-dispatcher";

    /// <param name="onHostDispatcher">run on <see cref="DispatcherId"/> (the host defines it), else on the default dispatcher</param>
    public static Props Props(NodeSettings settings, string peerId, Address peerAddress, long epoch, IActorRef store, IMonotonicClock clock,
        bool onHostDispatcher = false)
    {
        var props = Akka.Actor.Props.Create(() => new ReplicationSender(settings, peerId, peerAddress, epoch, store, clock));
        return onHostDispatcher ? props.WithDispatcher(DispatcherId) : props;
    }

    public ReplicationSender(NodeSettings settings, string peerId, Address peerAddress, long epoch, IActorRef store, IMonotonicClock clock)
    {
        _settings = settings;
        _batchEntries = settings.Replication.MaxBatchEntries;
        _peerId = peerId;
        _epoch = epoch;
        _store = store;
        _clock = clock;
        _peerStore = Context.ActorSelection(new RootActorPath(peerAddress) / "user" / NodeSupervisor.Name / StoreActor.Name);

        Receive<SenderWelcome>(w =>
        {
            _storeLast = w.LastIndex;
            _commit = w.Commit;
            _nextIndex = w.LastIndex + 1; // optimistic; the standby's refusal tells where it really is
            Pump();
        });
        Receive<EntriesAppended>(OnEntriesAppended);
        Receive<CommitAdvanced>(c =>
        {
            _commit = Math.Max(_commit, c.Commit);
            Pump();
        });
        Receive<EntriesRead>(OnEntriesRead);
        Receive<SnapshotNeeded>(OnSnapshotNeeded);
        Receive<AppendAck>(OnAck);
        Receive<SnapshotChunkAck>(OnChunkAck);
        Receive<Resend>(_ => OnResendTimer());
        Receive<Coalesced>(_ =>
        {
            _coalesceScheduled = false;
            Pump();
        });
    }

    protected override void PreStart()
    {
        _store.Tell(new RegisterSender(_peerId, _epoch));
        var every = TimeSpan.FromMilliseconds(Math.Max(20, _settings.Replication.ResendAfter.TotalMilliseconds / 4));
        Timers.StartPeriodicTimer("resend", Resend.Instance, every);
    }

    protected override void PostStop() => _snapshot?.File.Dispose();

    private int Window => _settings.Replication.MaxInFlightBatches;

    private void OnEntriesAppended(EntriesAppended m)
    {
        _commit = Math.Max(_commit, m.Commit);
        if (m.Entries.Count == 0) return;
        _storeLast = Math.Max(_storeLast, m.Entries[^1].Index);
        var expected = _ready.Count > 0 ? _ready[^1].Index + 1 : _nextIndex;
        if (m.Entries[0].Index == expected && _prevEpoch >= 0 && _ready.Count + m.Entries.Count <= MaxReady)
        {
            if (_ready.Count == 0) _oldestReadyMs = _clock.NowMs;
            _ready.AddRange(m.Entries);
        }
        Pump();
    }

    /// <summary>Sends while the window has room: pushed entries first, else reads from the store (one read at a time).</summary>
    private void Pump()
    {
        if (_deposed || _nextIndex < 0 || _snapshot is not null) return;
        while (_inFlight.Count < Window)
        {
            if (ReadyToShip)
            {
                var (count, full) = TakeBatch(_ready);
                if (HoldForCoalescing(full)) return;
                var batch = _ready.GetRange(0, count);
                _ready.RemoveRange(0, count);
                Send(batch);
                continue;
            }
            _ready.Clear();
            if ((_nextIndex <= _storeLast || _prevEpoch < 0) && !_readOutstanding)
            {
                _readOutstanding = true;
                _store.Tell(new ReadEntries(_nextIndex, _batchEntries, _settings.Replication.MaxBatchBytes));
                return;
            }
            // Nothing new: an empty append carries a commit point the standby has not seen (or probes where it stands).
            if (_inFlight.Count == 0 && _prevEpoch >= 0 && !_readOutstanding && _commitSent < _commit)
                Send(Array.Empty<LogEntry>());
            return;
        }
    }

    /// <summary>Pushed entries that continue where the standby stands: shipped from memory, not read from the store.</summary>
    private bool ReadyToShip => _ready.Count > 0 && _ready[0].Index == _nextIndex && _prevEpoch >= 0;

    /// <summary>True while the ready entries may wait for more (async mode); a timer ships them when the wait is up.</summary>
    private bool HoldForCoalescing(bool batchFull)
    {
        var wait = BatchCoalescing.WaitMs(_settings.ReplicationMode, (long)_settings.Replication.AsyncBatchDelay.TotalMilliseconds,
            batchFull, _oldestReadyMs, _clock.NowMs);
        if (wait <= 0) return false;
        if (!_coalesceScheduled)
        {
            // A .NET timer, not the actor scheduler: its 10 ms tick would let the end of a burst wait five times as long.
            _coalesceScheduled = true;
            var self = Self;
            _ = Task.Delay(TimeSpan.FromMilliseconds(wait)).ContinueWith(_ => self.Tell(Coalesced.Instance), TaskScheduler.Default);
        }
        return true;
    }

    /// <returns>how many entries from the front make one batch, and whether that batch is full (entries or bytes)</returns>
    private (int Count, bool Full) TakeBatch(List<LogEntry> from)
    {
        int count = 0, bytes = 0;
        while (count < from.Count && count < _batchEntries)
        {
            bytes += LogEntryCodec.SizeOf(from[count]);
            count++;
            if (bytes >= _settings.Replication.MaxBatchBytes) return (count, true);
        }
        return (count, count >= _batchEntries);
    }

    private void Send(IReadOnlyList<LogEntry> entries)
    {
        var seq = ++_seq;
        var prevIndex = _nextIndex - 1;
        _peerStore.Tell(new AppendEntries(_settings.NodeId, _epoch, _prevEpoch, prevIndex, _commit, seq, entries), Self);
        _commitSent = _commit;
        if (entries.Count > 0)
        {
            _nextIndex = entries[^1].Index + 1;
            _prevEpoch = entries[^1].Epoch;
        }
        _inFlight[seq] = new InFlight(_generation, prevIndex, prevIndex + entries.Count, _clock.NowMs);
    }

    private void OnEntriesRead(EntriesRead r)
    {
        _readOutstanding = false;
        _commit = Math.Max(_commit, r.Commit);
        _storeLast = Math.Max(_storeLast, r.LastIndex);
        if (r.From != _nextIndex || _snapshot is not null)
        {
            Pump(); // the position moved while the read was under way
            return;
        }
        _prevEpoch = r.PrevEpoch;
        if (r.Entries.Count > 0 || _inFlight.Count == 0) Send(r.Entries);
        Pump();
    }

    private void OnAck(AppendAck ack)
    {
        if (ack.Epoch > _epoch)
        {
            if (!_deposed) _log.Warning("standby {0} is at epoch {1}, above this primary's {2}; replication stops", _peerId, ack.Epoch, _epoch);
            _deposed = true;
            return;
        }
        var known = _inFlight.Remove(ack.Seq, out var sent);
        if (ack.Success)
        {
            _batchEntries = Math.Min(_settings.Replication.MaxBatchEntries, _batchEntries * 2);
            if (ack.MatchIndex > _match)
            {
                _match = ack.MatchIndex;
                _store.Tell(new PeerMatched(_peerId, _epoch, _match));
            }
        }
        else if (known && sent!.Generation == _generation)
        {
            // The standby's log does not fit after our previous entry: back up to where it says, forget the rest in flight.
            // A refusal that names no other position (it has not recorded this epoch yet, or it is primary itself) is
            // retried by the resend timer rather than at once, so the two sides do not spin.
            var refusedOutright = ack.NextIndex > sent.PrevIndex; // a mismatch always names a point at or before PrevIndex
            _generation++;
            _inFlight.Clear();
            _ready.Clear();
            _nextIndex = Math.Max(1, Math.Min(ack.NextIndex, _storeLast + 1));
            _prevEpoch = -1;
            if (refusedOutright) return;
        }
        Pump();
    }

    private void OnSnapshotNeeded(SnapshotNeeded s)
    {
        _readOutstanding = false;
        if (_snapshot is not null) return;
        _log.Info("standby {0} needs entries from {1}, compacted into snapshot {2}: sending the snapshot", _peerId, _nextIndex, s.Position);
        _snapshot = new SnapshotTransfer(s.Path, s.Position.Epoch, s.Position.Index) { LastProgressMs = _clock.NowMs };
        _inFlight.Clear();
        _ready.Clear();
        SendChunks();
    }

    private void SendChunks()
    {
        if (_snapshot is not { } t) return;
        var chunkBytes = _settings.Replication.SnapshotChunkBytes;
        while (t.NextOffset < t.File.Length && t.NextOffset - t.Acked < (long)SnapshotWindow * chunkBytes)
        {
            var data = new byte[(int)Math.Min(chunkBytes, t.File.Length - t.NextOffset)];
            t.File.Position = t.NextOffset;
            t.File.ReadExactly(data);
            var last = t.NextOffset + data.Length == t.File.Length;
            _peerStore.Tell(new SnapshotChunk(_settings.NodeId, _epoch, t.Epoch, t.Index, t.NextOffset, data, last), Self);
            t.NextOffset += data.Length;
        }
    }

    private void OnChunkAck(SnapshotChunkAck ack)
    {
        if (ack.Epoch > _epoch)
        {
            _deposed = true;
            return;
        }
        if (_snapshot is not { } t || ack.SnapshotIndex != t.Index) return;
        t.LastProgressMs = _clock.NowMs;
        if (ack.Installed)
        {
            _log.Info("standby {0} installed snapshot {1}:{2}", _peerId, t.Epoch, t.Index);
            t.File.Dispose();
            _snapshot = null;
            _nextIndex = t.Index + 1;
            _prevEpoch = t.Epoch;
            if (t.Index > _match)
            {
                _match = t.Index;
                _store.Tell(new PeerMatched(_peerId, _epoch, _match));
            }
            Pump();
            return;
        }
        if (ack.Failed || ack.NextOffset < t.Acked || ack.NextOffset > t.NextOffset)
        {
            t.Acked = 0;
            t.NextOffset = 0; // start the transfer over
        }
        else
        {
            t.Acked = Math.Max(t.Acked, ack.NextOffset);
        }
        SendChunks();
    }

    private void OnResendTimer()
    {
        var now = _clock.NowMs;
        var after = (long)_settings.Replication.ResendAfter.TotalMilliseconds;
        if (_snapshot is { } t)
        {
            if (now - t.LastProgressMs < after) return;
            t.LastProgressMs = now;
            t.NextOffset = t.Acked; // resend what was not confirmed
            if (t.Acked == 0) t.NextOffset = 0;
            SendChunks();
            return;
        }
        var stalled = _inFlight.Count > 0 && _inFlight.Values.Min(f => f.SentMs) <= now - after;
        // Entries held for async-batch-delay are not a stalled link.
        var idleProbe = _inFlight.Count == 0 && !_readOutstanding && !ReadyToShip && _nextIndex > 0 && _match < _storeLast;
        if (!stalled && !idleProbe) return;
        // Lost messages or a healed link: start again from what the standby confirmed, in smaller batches for a while.
        if (stalled) _batchEntries = Math.Max(1, _batchEntries / 2);
        _generation++;
        _inFlight.Clear();
        _ready.Clear();
        _readOutstanding = false;
        _nextIndex = _match > 0 ? _match + 1 : _storeLast + 1; // with nothing confirmed, probe at the end again
        _prevEpoch = -1;
        Pump();
    }
}
