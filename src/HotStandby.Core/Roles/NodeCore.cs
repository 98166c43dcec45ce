using HotStandby.Core.Protocol;
using HotStandby.Core.Settings;

namespace HotStandby.Core.Roles;

/// <summary>
/// The role decision function of one node: a deterministic state machine in the style of etcd's raft.go.
/// It takes peer messages, commands and ticks with the caller's clock, and returns effects to carry out in order;
/// it never sends, sleeps, reads a clock or touches a disk itself.
/// </summary>
public sealed partial class NodeCore
{
    private readonly CoreSettings _s;
    private readonly Dictionary<string, PeerView> _peers = new(StringComparer.Ordinal);
    private readonly List<ICoreEffect> _out = new();
    private long _startedAtMs;

    private PersistentState _state;
    private NodeRole _role = NodeRole.Starting;
    private string? _primaryId;
    private string? _lastKnownPrimary;
    private long _lastPrimaryContactMs = long.MinValue / 2;
    private RoleChange? _lastRoleChange;
    private LogPosition _lastLog;
    private IReadOnlyCollection<string>? _caughtUp;
    private bool _storeAttached; // a store reports the log; without one (simulation, witness) the core's log is final
    private bool _logSealed;
    private long _commitIndex;
    private long _knownCommitIndex;
    private long _epochAdoptedMs = long.MinValue / 2;

    public NodeCore(CoreSettings settings, PersistentState persisted, long nowMs, LogPosition lastLog = default, long commitIndex = 0)
    {
        _s = settings;
        _state = persisted;
        _notEligible.UnionWith(persisted.NotEligible);
        _notEligibleFrom = persisted.NotEligibleFrom;
        _startedAtMs = nowMs;
        _lastLog = lastLog;
        _commitIndex = commitIndex;
    }

    public NodeRole Role => _role;
    public long Epoch => _state.Epoch;
    public string? PrimaryId => _primaryId;

    /// <summary>
    /// The store's progress: the last log entry held and the point every data node holds (what a successor must have).
    /// Voters compare candidates with these; a primary sends the commit index to voters in its heartbeats.
    /// </summary>
    /// <param name="caughtUp">standbys the store sees within one replication window of this primary (failback needs it)</param>
    /// <param name="sealedForHandover">the store has stopped taking writes for a switchover: <paramref name="lastLog"/> is final</param>
    public void UpdateLog(LogPosition lastLog, long commitIndex, IReadOnlyCollection<string>? caughtUp = null, bool sealedForHandover = false)
    {
        _storeAttached = true;
        if (sealedForHandover && _role == NodeRole.Demoting) _logSealed = true;
        _caughtUp = caughtUp;
        _lastLog = lastLog;
        _commitIndex = commitIndex;
        _knownCommitIndex = Math.Max(_knownCommitIndex, commitIndex);
    }

    /// <summary>Until when (this node's clock) it may acknowledge writes: long.MinValue when not primary or without a lease.</summary>
    public long WritableUntilMs =>
        _role is not (NodeRole.Primary or NodeRole.Demoting) ? long.MinValue
        : !UsesLease ? long.MaxValue
        : HasMajorityAck() ? LeaseDeadline() : long.MinValue;

    /// <summary>Peers known (by their heartbeats) to hold data: the standby candidates.</summary>
    public IReadOnlyList<string> DataPeerIds =>
        _peers.Values.Where(p => p.IsDataNode).Select(p => p.NodeId).Order(StringComparer.Ordinal).ToList();

    /// <summary>Data peers the failure detection gave up on: unheard for acceptable-pause, or their supervisor terminated.</summary>
    public IReadOnlyList<string> DownDataPeerIds(long nowMs) =>
        _peers.Values.Where(p => p.IsDataNode && (p.TerminatedAtMs is not null || nowMs - p.LastHeardMs >= _s.PromotionWaitMs))
            .Select(p => p.NodeId).Order(StringComparer.Ordinal).ToList();

    /// <summary>True only while this node may acknowledge writes: primary, and (where leases apply) its lease holds.</summary>
    public bool CanServeWrites(long nowMs) => _role == NodeRole.Primary && LeaseHolds(nowMs);

    public IReadOnlyList<ICoreEffect> Handle(IPeerMessage message, long nowMs)
    {
        switch (message)
        {
            case Heartbeat hb: OnHeartbeat(hb, nowMs); break;
            case HeartbeatAck ack: OnHeartbeatAck(ack, nowMs); break;
            case PreVoteRequest r: OnPreVoteRequest(r, nowMs); break;
            case PreVoteResponse r: OnPreVoteResponse(r, nowMs); break;
            case VoteRequest r: OnVoteRequest(r, nowMs); break;
            case VoteResponse r: OnVoteResponse(r, nowMs); break;
            case TimeoutNow t: OnTimeoutNow(t, nowMs); break;
            default: throw new ArgumentException($"unknown peer message {message.GetType().Name}", nameof(message));
        }
        return Drain();
    }

    public IReadOnlyList<ICoreEffect> Handle(ICoreCommand command, long nowMs)
    {
        switch (command)
        {
            case Tick: OnTick(nowMs); break;
            case SwitchoverCommand c: OnSwitchover(c, nowMs); break;
            case ShutdownRequested: OnShutdown(nowMs); break;
            case StorageFailed f: Fence(nowMs, $"storage failed: {f.Reason}"); break;
            case FaultRaised f: Fence(nowMs, f.Reason); break;
            case PeerTerminated t: OnPeerTerminated(t, nowMs); break;
            case StandbyEligibility e: OnStandbyEligibility(e, nowMs); break;
            default: throw new ArgumentException($"unknown command {command.GetType().Name}", nameof(command));
        }
        return Drain();
    }

    /// <summary>The content of this node's next heartbeat (the heartbeat actor adds the send time).</summary>
    public Heartbeat HeartbeatFor(long sentAtMs, long nowMs) => new(
        _s.NodeId, _state.Epoch, _role, _primaryId, _lastLog, _commitIndex,
        _s.PreferredPrimary, Eligible: (_role is NodeRole.Standby or NodeRole.Primary or NodeRole.Demoting) && !SelfNotEligible,
        Hears: _peers.Values.Where(p => nowMs - p.LastHeardMs < _s.PromotionWaitMs).Select(p => p.NodeId).Order(StringComparer.Ordinal).ToList(),
        HttpUrl, sentAtMs)
    {
        NotEligible = _role is NodeRole.Primary or NodeRole.Demoting ? _notEligible.Order(StringComparer.Ordinal).ToList() : Array.Empty<string>(),
        FromWitness = _s.IsWitness,
    };

    /// <summary>Where this node's HTTP API listens, advertised to peers so that tools can follow the primary.</summary>
    public string? HttpUrl { get; set; }

    /// <summary>A new actor system replaced the quarantined one: DeathWatch verdicts about the old one no longer apply.</summary>
    public void OnNewIncarnation()
    {
        foreach (var view in _peers.Values.ToList())
            _peers[view.NodeId] = view with { TerminatedAtMs = null };
    }

    /// <summary>Why this incarnation should be replaced by a new one (Akka quarantine), or null. See <see cref="QuarantineRecovery"/>.</summary>
    public string? IncarnationRestartReason(long nowMs) =>
        QuarantineRecovery.Decide(_s.NodeId, _role, _peers.Values, nowMs, _s.PromotionWaitMs, QuarantineRecovery.RestartAfterMs(_s.PromotionWaitMs));

    public CoreStatus Status(long nowMs) => new(
        _s.NodeId, _role, _state.Epoch, _primaryId, _lastLog, _commitIndex,
        CanServeWrites(nowMs),
        LeaseRemainingMs: _role is NodeRole.Primary or NodeRole.Demoting ? Math.Max(0, LeaseDeadline() - nowMs) : 0,
        _switchover?.Target,
        FailbackPendingText(nowMs),
        _lastRoleChange,
        _peers.Values.OrderBy(p => p.NodeId, StringComparer.Ordinal).ToList())
    {
        NotEligible = _notEligible.Order(StringComparer.Ordinal).ToList(),
    };

    private void OnTick(long nowMs)
    {
        if (_role == NodeRole.Starting)
        {
            _startedAtMs = nowMs; // timeouts count from when the node runs, not from when it was constructed
            TransitionTo(_s.IsWitness ? NodeRole.Witness : NodeRole.Standby, nowMs,
                $"started with epoch {_state.Epoch} from disk{(_state.VotedFor is { } v ? $", vote for {v}" : "")}");
        }

        switch (_role)
        {
            case NodeRole.Primary or NodeRole.Demoting when LeaseLost(nowMs):
                StepDown(nowMs, $"lost majority: no heartbeat ack from a majority for {nowMs - LeaseStartMs()} ms (lease {_s.LeaseMs} ms)");
                break;
            case NodeRole.Demoting:
                ProgressSwitchover(nowMs);
                break;
            case NodeRole.Primary:
                EvaluateFailback(nowMs);
                break;
            case NodeRole.Standby:
                EvaluateElection(nowMs);
                break;
        }
    }

    private void OnPeerTerminated(PeerTerminated t, long nowMs)
    {
        if (_peers.TryGetValue(t.NodeId, out var view))
            _peers[t.NodeId] = view with { TerminatedAtMs = nowMs };
        _out.Add(new Notice($"DeathWatch: supervisor of {t.NodeId} terminated ({nowMs - (view?.LastHeardMs ?? nowMs)} ms after its last heartbeat)"));
    }

    private void Fence(long nowMs, string reason)
    {
        EndCandidacy();
        _switchover = null;
        if (_role != NodeRole.Faulted)
            TransitionTo(NodeRole.Faulted, nowMs, reason);
    }

    /// <summary>Move to a higher epoch learned from a peer; durable before anything else happens.</summary>
    /// <param name="votedFor">a vote granted in the new epoch, recorded in the same write</param>
    private void AdoptEpoch(long epoch, long nowMs, string reason, string? votedFor = null)
    {
        if (epoch <= _state.Epoch) return;
        Persist(_state with { Epoch = epoch, VotedFor = votedFor });
        _primaryId = null;
        _epochAdoptedMs = nowMs;
        EndCandidacy();
        if (_role is NodeRole.Primary or NodeRole.Demoting)
        {
            _switchover = null;
            TransitionTo(NodeRole.Standby, nowMs, reason);
        }
    }

    private void StepDown(long nowMs, string reason)
    {
        _switchover = null;
        _primaryId = null;
        _lastElectionEndedMs = nowMs;
        TransitionTo(NodeRole.Standby, nowMs, reason);
    }

    private void Persist(PersistentState state)
    {
        _state = state;
        _out.Add(new PersistState(state));
    }

    private void TransitionTo(NodeRole to, long nowMs, string reason)
    {
        if (to == _role) return;
        _logSealed = false;
        var change = new RoleChange(nowMs, _role, to, _state.Epoch, reason);
        _role = to;
        _lastRoleChange = change;
        _out.Add(new RoleChanged(change));
    }

    private void UpdatePeer(Heartbeat hb, long nowMs) =>
        _peers[hb.From] = new PeerView(hb.From, hb.Role, hb.Epoch, hb.PrimaryId, hb.LastLog, hb.CommitIndex,
            hb.PreferredPrimary, hb.Eligible, nowMs, hb.Hears, hb.HttpUrl, TerminatedAtMs: null) { FromWitness = hb.FromWitness };

    private bool PeerHealthy(PeerView p, long nowMs) =>
        p.IsDataNode && p.Eligible && !IsNotEligible(p.NodeId) && p.Role == NodeRole.Standby && nowMs - p.LastHeardMs < _s.PromotionWaitMs;

    private IReadOnlyList<ICoreEffect> Drain()
    {
        if (_out.Count == 0) return Array.Empty<ICoreEffect>();
        var effects = _out.ToArray();
        _out.Clear();
        return effects;
    }
}
