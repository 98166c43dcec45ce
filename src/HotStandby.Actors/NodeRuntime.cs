using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote;
using HotStandby.Actors.Configuration;
using HotStandby.Actors.Node;
using HotStandby.Actors.Protocol;
using HotStandby.Core.Protocol;
using HotStandby.Core.Settings;
using HotStandby.Storage;

namespace HotStandby.Actors;

/// <summary>
/// One incarnation of a node: its actor system (named <c>hotstandby</c>) and role supervisor. A host makes a new one
/// with the same data directory when this one is quarantined by a peer, because only a new incarnation (UID) can talk again.
/// </summary>
public sealed class NodeRuntime : IAsyncDisposable
{
    public const string SystemName = "hotstandby";

    private readonly TaskCompletionSource<string> _quarantined = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeRuntime(ActorSystem system, IActorRef supervisor, NodeSettings settings)
    {
        System = system;
        Supervisor = supervisor;
        Settings = settings;
        var listener = system.ActorOf(Akka.Actor.Props.Create(() => new QuarantineListener(_quarantined)), "quarantine-listener");
        system.EventStream.Subscribe(listener, typeof(ThisActorSystemQuarantinedEvent));
    }

    public ActorSystem System { get; }
    public IActorRef Supervisor { get; }
    public NodeSettings Settings { get; }
    public Address Address => ((ExtendedActorSystem)System).Provider.DefaultAddress;

    /// <summary>Completes with a reason when a peer has quarantined this incarnation.</summary>
    public Task<string> Quarantined => _quarantined.Task;

    /// <summary>The embedded reference.conf under the given configuration.</summary>
    public static Config WithReference(Config config) => config.WithFallback(HotStandbySettingsFactory.Reference);

    public static ActorSystem CreateSystem(Config config) => ActorSystem.Create(SystemName, WithReference(config));

    /// <summary>Loads the persisted state (refusing a corrupt file) and starts the supervisor.</summary>
    public static NodeRuntime Start(ActorSystem system, NodeSettings settings, IMonotonicClock? clock = null)
    {
        var store = new NodeStateStore(settings.DataDir);
        var state = store.Load();
        var supervisor = system.ActorOf(NodeSupervisor.Props(settings, store, state, clock ?? MonotonicClock.Instance), NodeSupervisor.Name);
        return new NodeRuntime(system, supervisor, settings);
    }

    public Task<NodeStatusReport> StatusAsync(TimeSpan timeout) => Supervisor.Ask<NodeStatusReport>(GetNodeStatus.Instance, timeout);

    public Task<CommandResult> SwitchoverAsync(string? target, TimeSpan timeout) =>
        Supervisor.Ask<CommandResult>(new RequestSwitchover(target), timeout);

    public Task<CommandResult> ShutdownHandoverAsync(TimeSpan timeout) =>
        Supervisor.Ask<CommandResult>(RequestShutdownHandover.Instance, timeout);

    public async ValueTask DisposeAsync()
    {
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance);
    }

    private sealed class QuarantineListener : ReceiveActor
    {
        public QuarantineListener(TaskCompletionSource<string> quarantined)
        {
            Receive<ThisActorSystemQuarantinedEvent>(e =>
                quarantined.TrySetResult($"{e.RemoteAddress} quarantined this incarnation ({e.LocalAddress})"));
        }
    }
}
