using Akka.Actor;
using Akka.Event;
using HotStandby.Actors.Protocol;
using HotStandby.Core.FailureDetection;
using HotStandby.Core.Protocol;
using HotStandby.Core.Roles;
using HotStandby.Core.Settings;

namespace HotStandby.Actors.Node;

/// <summary>
/// Sends this node's heartbeat to every peer each interval, feeds a phi-accrual detector per peer with what comes back,
/// and watches each peer's supervisor through remote DeathWatch as a second, independent signal.
/// Incoming heartbeats and acks go on to the supervisor, whose core decides what they mean.
/// </summary>
public sealed class HeartbeatActor : ReceiveActor, IWithTimers
{
    private sealed class PeerLink(Address address, ActorSelection heartbeat, ActorSelection node, PeerReachability reachability)
    {
        public Address Address { get; } = address;
        public ActorSelection Heartbeat { get; } = heartbeat;
        public ActorSelection Node { get; } = node;
        public PeerReachability Reachability { get; } = reachability;
        public string? NodeId { get; set; }
        public double? RttMs { get; set; }
        public IActorRef? Watched { get; set; }
        public Core.Roles.Reachability Reported { get; set; } = Core.Roles.Reachability.Unknown;
    }

    private sealed record Beat
    {
        public static readonly Beat Instance = new();
    }

    private sealed record IdentifyPeers
    {
        public static readonly IdentifyPeers Instance = new();
    }

    private readonly NodeSettings _settings;
    private readonly IActorRef _supervisor;
    private readonly IMonotonicClock _clock;
    private readonly Dictionary<Address, PeerLink> _links = new();
    private readonly Dictionary<Address, string> _configuredIds = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private Heartbeat? _template;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeSettings settings, IActorRef supervisor, IMonotonicClock clock) =>
        Akka.Actor.Props.Create(() => new HeartbeatActor(settings, supervisor, clock));

    public HeartbeatActor(NodeSettings settings, IActorRef supervisor, IMonotonicClock clock)
    {
        _settings = settings;
        _supervisor = supervisor;
        _clock = clock;
        foreach (var peer in settings.Peers)
        {
            var address = Address.Parse(peer.Address);
            LinkFor(address);
            if (peer.NodeId is { } id) _configuredIds[address] = id;
        }

        Receive<UpdateHeartbeat>(u =>
        {
            _template = u.Template;
            if (u.SendNow) SendHeartbeats();
        });
        Receive<Heartbeat>(hb =>
        {
            var link = LinkFor(Sender.Path.Address);
            if (link.NodeId != hb.From && _configuredIds.TryGetValue(link.Address, out var configured) && configured != hb.From)
                _log.Warning("the peer at {0} calls itself '{1}' but hotstandby.peers names it '{2}'", link.Address, hb.From, configured);
            link.NodeId = hb.From;
            link.Reachability.Heartbeat(_clock.NowMs);
            _supervisor.Forward(hb);
        });
        Receive<HeartbeatAck>(ack =>
        {
            var now = _clock.NowMs;
            var link = LinkFor(Sender.Path.Address);
            link.NodeId = ack.From;
            link.Reachability.Heartbeat(now);
            if (ack.EchoSentAtMs > 0 && ack.EchoSentAtMs <= now) link.RttMs = now - ack.EchoSentAtMs;
            _supervisor.Forward(ack);
        });
        Receive<Beat>(_ =>
        {
            SendHeartbeats();
            _supervisor.Tell(new PeerHealthReport(Health()));
        });
        Receive<IdentifyPeers>(_ =>
        {
            foreach (var link in _links.Values.Where(l => l.Watched is null))
                link.Node.Tell(new Identify(link.Address));
        });
        Receive<ActorIdentity>(id =>
        {
            if (id.Subject is null || id.MessageId is not Address address || !_links.TryGetValue(address, out var link)) return;
            if (link.Watched is not null) return;
            link.Watched = id.Subject;
            Context.Watch(id.Subject);
        });
        Receive<Terminated>(t =>
        {
            var link = _links.Values.FirstOrDefault(l => Equals(l.Watched, t.ActorRef));
            if (link is null) return;
            link.Watched = null;
            link.Reachability.Terminated(_clock.NowMs);
            _log.Warning("DeathWatch: {0} ({1}) terminated", link.NodeId ?? "?", link.Address);
            if (link.NodeId is { } nodeId) _supervisor.Tell(new PeerTerminated(nodeId));
        });
    }

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("beat", Beat.Instance, TimeSpan.Zero, _settings.HeartbeatInterval);
        Timers.StartPeriodicTimer("identify", IdentifyPeers.Instance, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    private void SendHeartbeats()
    {
        if (_template is null) return;
        var heartbeat = _template with { SentAtMs = _clock.NowMs };
        foreach (var link in _links.Values)
            link.Heartbeat.Tell(heartbeat, Self);
    }

    private List<PeerHealth> Health()
    {
        var now = _clock.NowMs;
        var health = new List<PeerHealth>(_links.Count);
        foreach (var l in _links.Values)
        {
            var reachability = l.Reachability.Evaluate(now);
            var phi = Math.Round(l.Reachability.Phi(now), 3);
            if (reachability != l.Reported && reachability != Reachability.Unknown)
            {
                _log.Info("peer {0} is {1} (phi {2:F1}{3})", l.NodeId ?? l.Address.ToString(), reachability.ToWire(), phi,
                    l.Reachability.TerminatedByDeathWatch ? ", DeathWatch: terminated" : "");
                l.Reported = reachability;
            }
            health.Add(new PeerHealth(l.NodeId ?? l.Address.ToString(), l.Address.ToString(), reachability, phi, l.RttMs, l.Reachability.LastHeartbeatMs, l.Watched is not null));
        }
        return health;
    }

    private PeerLink LinkFor(Address address)
    {
        if (_links.TryGetValue(address, out var link)) return link;
        var detector = new PhiAccrualFailureDetector(
            firstHeartbeatEstimateMs: _settings.HeartbeatInterval.TotalMilliseconds,
            acceptablePauseMs: _settings.AcceptablePause.TotalMilliseconds - _settings.HeartbeatInterval.TotalMilliseconds,
            minStdDeviationMs: Math.Max(10, _settings.HeartbeatInterval.TotalMilliseconds / 4));
        var root = new RootActorPath(address);
        link = new PeerLink(address,
            Context.ActorSelection(root / "user" / "node" / "heartbeat"),
            Context.ActorSelection(root / "user" / "node"),
            new PeerReachability(detector, _settings.SuspectPhi, _settings.PhiThreshold));
        _links[address] = link;
        return link;
    }
}
