using Akka.Actor;
using Akka.Event;
using HotStandby.Actors.Protocol;
using HotStandby.Core.Protocol;
using HotStandby.Core.Roles;
using HotStandby.Core.Settings;
using HotStandby.Core.Supervision;
using HotStandby.Storage;

namespace HotStandby.Actors.Node;

/// <summary>
/// The parent of everything on the node. It turns peer messages, commands and ticks into calls of the pure
/// <see cref="NodeCore"/> and carries out the effects it returns, in order: persist (fsync) first, then send.
/// Its children are the heartbeat link and the hook runner; what a child's failure means is <see cref="ChildFailurePolicy"/>'s call.
/// </summary>
public sealed class NodeSupervisor : ReceiveActor, IWithTimers
{
    public const string Name = "node";
    private const int MaxEvents = 200;

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed record StartChild(string Name);

    private readonly NodeSettings _settings;
    private readonly NodeStateStore _stateStore;
    private readonly IMonotonicClock _clock;
    private readonly NodeCore _core;
    private readonly DataStore? _data;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ChildFailurePolicy _childPolicy = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));
    private readonly Dictionary<string, int> _childFailures = new();
    private readonly Dictionary<string, Address> _addressByNode = new(StringComparer.Ordinal);
    private readonly List<Address> _peerAddresses;
    private readonly List<RoleEvent> _events = new();
    private IReadOnlyList<PeerHealth> _health = Array.Empty<PeerHealth>();
    private IActorRef _heartbeat = ActorRefs.Nobody;
    private IActorRef _hooks = ActorRefs.Nobody;
    private IActorRef _store = ActorRefs.Nobody;
    private readonly ReplicationLinks _links;
    private WriteGate? _lastGate;
    private StoreProgress? _storeProgress;
    private Heartbeat? _lastTemplate;
    private long _promotions;
    private Exception? _lastChildError;
    private bool _restartRequested;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="core">the node's decision core; it outlives an incarnation, so a restart after quarantine keeps the role</param>
    public static Props Props(NodeSettings settings, NodeStateStore store, NodeCore core, IMonotonicClock clock, DataStore? data = null) =>
        Akka.Actor.Props.Create(() => new NodeSupervisor(settings, store, core, clock, data));

    public NodeSupervisor(NodeSettings settings, NodeStateStore store, NodeCore core, IMonotonicClock clock, DataStore? data)
    {
        _settings = settings;
        _stateStore = store;
        _data = data;
        _links = new ReplicationLinks(settings, clock);
        _clock = clock;
        _core = core;
        _peerAddresses = settings.Peers.Select(p => Address.Parse(p.Address)).ToList();

        Receive<Tick>(_ =>
        {
            Run(_core.Handle(Core.Protocol.Tick.Instance, _clock.NowMs));
            CheckIncarnation();
        });
        Receive<StoreProgress>(p =>
        {
            _storeProgress = p;
            _core.UpdateLog(p.LastLog, p.ReplicatedIndex, p.CaughtUp, p.Sealed);
            PushHeartbeat(sendNow: false);
        });
        Receive<EligibilityRequest>(r => Run(_core.Handle(new StandbyEligibility(r.NodeId, r.Eligible, r.Reason), _clock.NowMs)));
        Receive<IPeerMessage>(m =>
        {
            if (!Sender.IsNobody()) _addressByNode[m.From] = Sender.Path.Address;
            Run(_core.Handle(m, _clock.NowMs));
        });
        Receive<PeerTerminated>(t => Run(_core.Handle(t, _clock.NowMs)));
        Receive<PeerHealthReport>(r =>
        {
            _health = r.Peers;
            _childFailures["heartbeat"] = 0;
        });
        Receive<GetNodeStatus>(_ => Sender.Tell(Report()));
        Receive<RequestSwitchover>(r => Run(_core.Handle(new SwitchoverCommand(r.Target, "operator switchover"), _clock.NowMs), Sender));
        Receive<RequestShutdownHandover>(_ => Run(_core.Handle(ShutdownRequested.Instance, _clock.NowMs), Sender));
        Receive<HookFinished>(OnHookFinished);
        Receive<StartChild>(s => StartChildNamed(s.Name));
        Receive<Terminated>(t => OnChildTerminated(t.ActorRef.Path.Name));
    }

    protected override void PreStart()
    {
        StartChildNamed("heartbeat");
        StartChildNamed("hooks");
        if (_data is not null) StartChildNamed(StoreActor.Name);
        var tick = Math.Max(10, Math.Min(_settings.HeartbeatInterval.TotalMilliseconds / 2,
            (_settings.AcceptablePause - _settings.Lease).TotalMilliseconds / 2));
        Timers.StartPeriodicTimer("tick", Tick.Instance, TimeSpan.Zero, TimeSpan.FromMilliseconds(tick));
        _log.Info("node {0} ({1}) starting at epoch {2}, failover {3}, failback {4}", _settings.NodeId,
            _settings.IsWitness ? "witness" : "data", _core.Epoch, _settings.FailoverMode, _settings.FailbackMode);
    }

    /// <summary>Children are stopped on failure and started again by <see cref="ChildFailurePolicy"/>, with backoff.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(ex =>
    {
        _lastChildError = ex;
        return Directive.Stop;
    });

    private void StartChildNamed(string name)
    {
        var props = name switch
        {
            "heartbeat" => HeartbeatActor.Props(_settings, Self, _clock),
            "hooks" => HooksActor.Props(_settings),
            StoreActor.Name => StoreActor.Props(_settings, _data!, Self, _clock),
            _ => throw new ArgumentException($"unknown child {name}", nameof(name)),
        };
        var child = Context.ActorOf(props, name);
        Context.Watch(child);
        if (name == "heartbeat")
        {
            _heartbeat = child;
            _lastTemplate = null; // the new child needs the template
            PushHeartbeat(sendNow: true);
        }
        else if (name == StoreActor.Name)
        {
            _store = child;
            _lastGate = null;
            SyncStore();
        }
        else
        {
            _hooks = child;
        }
    }

    private void OnChildTerminated(string name)
    {
        if (_links.IsLink(name))
        {
            _links.Terminated(name, _lastChildError);
            _lastChildError = null;
            return;
        }
        var failures = _childFailures[name] = _childFailures.GetValueOrDefault(name) + 1;
        var error = _lastChildError is { } e ? $"{e.GetType().Name}: {e.Message}" : "stopped";
        var decision = _childPolicy.Decide(name, error, _lastChildError is IOException or CorruptDataException, failures);
        _lastChildError = null;
        switch (decision)
        {
            case ChildFailureDecision.Restart r:
                _log.Warning("child {0} failed ({1}); restarting in {2} ms", name, error, r.Backoff.TotalMilliseconds);
                Timers.StartSingleTimer("restart-" + name, new StartChild(name), r.Backoff);
                break;
            case ChildFailureDecision.Fence f:
                Run(_core.Handle(new StorageFailed(f.Reason), _clock.NowMs));
                break;
        }
    }

    private void OnHookFinished(HookFinished f)
    {
        if (!f.Succeeded && f.Hook == "on-promote")
        {
            var why = f.TimedOut ? "timed out" : f.ExitCode is { } code ? $"exited with {code}" : $"did not run ({f.Output})";
            Run(_core.Handle(new FaultRaised($"on-promote hook '{f.Command}' {why}"), _clock.NowMs));
        }
    }

    private void Run(IReadOnlyList<ICoreEffect> effects, IActorRef? replyTo = null)
    {
        var sendNow = false;
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case PersistState p:
                    if (!TryPersist(p.State)) return; // never send what was not recorded
                    SyncStore(); // the store fences entries by the recorded epoch
                    break;
                case Broadcast b:
                    foreach (var address in _peerAddresses) NodeSelection(address).Tell(b.Message, Self);
                    break;
                case SendTo s:
                    SendTo(s.NodeId, s.Message);
                    break;
                case SendHeartbeatNow:
                    sendNow = true;
                    break;
                case RoleChanged rc:
                    OnRoleChanged(rc.Change);
                    break;
                case CommandResult r:
                    replyTo?.Tell(r);
                    break;
                case Notice n:
                    _log.Info(n.Message);
                    break;
            }
        }
        PushHeartbeat(sendNow);
        SyncStore();
    }

    private bool TryPersist(PersistentState state)
    {
        try
        {
            _stateStore.Save(state);
            return true;
        }
        catch (Exception e)
        {
            _log.Error(e, "cannot persist node state to {0}; fencing the node", _stateStore.FilePath);
            Run(_core.Handle(new StorageFailed($"{_stateStore.FilePath}: {e.Message}"), _clock.NowMs));
            return false;
        }
    }

    private void SendTo(string nodeId, IPeerMessage message)
    {
        if (!_addressByNode.TryGetValue(nodeId, out var address))
        {
            _log.Debug("no address known for {0}; dropped {1}", nodeId, message.GetType().Name);
            return;
        }
        var root = new RootActorPath(address) / "user" / Name;
        var path = message is HeartbeatAck ? root / "heartbeat" : root;
        Context.ActorSelection(path).Tell(message, message is HeartbeatAck ? _heartbeat : Self);
    }

    private ActorSelection NodeSelection(Address address) => Context.ActorSelection(new RootActorPath(address) / "user" / Name);

    private void OnRoleChanged(RoleChange change)
    {
        var e = new RoleEvent(_settings.NodeId, DateTimeOffset.UtcNow, change);
        if (change.To == NodeRole.Faulted) _log.Error(change.ToLogLine());
        else _log.Info(change.ToLogLine());
        if (change.To == NodeRole.Primary && change.From == NodeRole.Standby) _promotions++;
        _events.Add(e);
        if (_events.Count > MaxEvents) _events.RemoveAt(0);
        Context.System.EventStream.Publish(e);
        _hooks.Tell(e);
    }

    /// <summary>Asks the host for a new incarnation when Akka's quarantine keeps a live peer out (see QuarantineRecovery).</summary>
    private void CheckIncarnation()
    {
        if (_restartRequested || _core.IncarnationRestartReason(_clock.NowMs) is not { } reason) return;
        _restartRequested = true;
        _log.Warning(reason);
        Context.System.EventStream.Publish(new IncarnationRestartRequested(_settings.NodeId, reason));
    }

    private void PushHeartbeat(bool sendNow)
    {
        var template = _core.HeartbeatFor(0, _clock.NowMs);
        if (!sendNow && template == _lastTemplate) return;
        _lastTemplate = template;
        _heartbeat.Tell(new UpdateHeartbeat(template, sendNow));
    }

    private NodeStatusReport Report()
    {
        var now = _clock.NowMs;
        var address = ((ExtendedActorSystem)Context.System).Provider.DefaultAddress.ToString();
        return new NodeStatusReport(_core.Status(now), _health, _events.ToList(), now, address, _promotions) { Store = _storeProgress };
    }

    /// <summary>Tells the store what it may do (epoch, role, lease) and keeps one replication link per standby while primary.</summary>
    private void SyncStore()
    {
        if (_data is null || _store.IsNobody()) return;
        var gate = new WriteGate(_core.Epoch, _core.Role, _core.PrimaryId, _core.WritableUntilMs,
            _core.NotEligible.Order(StringComparer.Ordinal).ToList(),
            _core.NotEligible.Where(_core.StandbyExcused).Order(StringComparer.Ordinal).ToList(),
            _core.DataPeerIds, _core.DownDataPeerIds(_clock.NowMs));
        if (gate != _lastGate)
        {
            _lastGate = gate;
            _store.Tell(gate);
        }
        var primary = _core.Role is NodeRole.Primary or NodeRole.Demoting;
        _links.Sync(Context, primary ? _core.Epoch : 0, gate.DataPeers, _addressByNode, _store);
    }
}
