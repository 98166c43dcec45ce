using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;
using HotStandby.Actors.Configuration;
using HotStandby.Actors.Node;
using HotStandby.Actors.Protocol;
using HotStandby.Core.Protocol;
using HotStandby.Core.Roles;
using HotStandby.Core.Settings;
using HotStandby.Storage;

namespace HotStandby.Actors;

/// <summary>
/// One incarnation of a node: its actor system (named <c>hotstandby</c>) and role supervisor. <see cref="ResilientNode"/>
/// replaces it with a new one, keeping the core and the data directory, when Akka's quarantine demands a new UID.
/// </summary>
public sealed class NodeRuntime
{
    public const string SystemName = "hotstandby";

    private readonly TaskCompletionSource<string> _restart = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ReplyDeadlines _writeDeadlines = new(TimeSpan.FromMilliseconds(250), () => Environment.TickCount64);

    private NodeRuntime(ActorSystem system, IActorRef supervisor, NodeSettings settings)
    {
        System = system;
        Supervisor = supervisor;
        Settings = settings;
        var listener = system.ActorOf(Props.Create(() => new RestartListener(_restart)), "incarnation-listener");
        system.EventStream.Subscribe(listener, typeof(ThisActorSystemQuarantinedEvent));
        system.EventStream.Subscribe(listener, typeof(IncarnationRestartRequested));
        system.WhenTerminated.ContinueWith(_ => _writeDeadlines.Dispose(), TaskScheduler.Default);
    }

    public ActorSystem System { get; }
    public IActorRef Supervisor { get; }
    public NodeSettings Settings { get; }
    public Address Address => ((ExtendedActorSystem)System).Provider.DefaultAddress;

    /// <summary>Completes with a reason when this incarnation should be replaced (a peer quarantined it, or the core asked).</summary>
    public Task<string> RestartRequested => _restart.Task;

    /// <summary>The embedded reference.conf under the given configuration.</summary>
    public static Config WithReference(Config config) => config.WithFallback(HotStandbySettingsFactory.Reference);

    public static ActorSystem CreateSystem(Config config) => ActorSystem.Create(SystemName, WithReference(config));

    /// <summary>Loads the persisted epoch and vote (refusing a corrupt file with its path and offset) into a new core.</summary>
    /// <param name="data">the node's log and state (null on a witness): the core starts from its last position</param>
    public static NodeCore CreateCore(NodeSettings settings, NodeStateStore store, IMonotonicClock clock, DataStore? data = null)
    {
        var persisted = store.Load();
        var lastLog = data?.LastLog ?? LogPosition.Zero;
        if (lastLog.Epoch > persisted.Epoch)
        {
            // Never expected (entries of an epoch are only accepted once it is recorded), but if the log is ahead, its
            // epoch had a primary: record it with a placeholder vote so that this node cannot vote in it again.
            persisted = new PersistentState(lastLog.Epoch, "(log)");
            store.Save(persisted);
        }
        var core = new NodeCore(settings.ToCoreSettings(), persisted, clock.NowMs, lastLog, data?.State.Applied.Index ?? 0);
        core.UpdateLog(lastLog, data?.State.Applied.Index ?? 0);
        return core;
    }

    /// <summary>Opens the data directory's log and snapshots (data nodes); corrupt files refuse with path and offset.</summary>
    public static DataStore? OpenData(NodeSettings settings, Action<string> notice) =>
        settings.IsWitness ? null : DataStore.Open(settings.DataDir, settings.Storage, notice);

    public static NodeRuntime Start(ActorSystem system, NodeSettings settings, NodeStateStore store, NodeCore core, IMonotonicClock clock,
        DataStore? data = null)
    {
        var supervisor = system.ActorOf(NodeSupervisor.Props(settings, store, core, clock, data), NodeSupervisor.Name);
        return new NodeRuntime(system, supervisor, settings);
    }

    public Task<NodeStatusReport> StatusAsync(TimeSpan timeout) => Supervisor.Ask<NodeStatusReport>(GetNodeStatus.Instance, timeout);

    /// <summary>PUT/DELETE through the store: <see cref="WriteCommitted"/> or <see cref="WriteRefused"/>.</summary>
    /// <exception cref="TimeoutException">the store did not answer within <paramref name="timeout"/></exception>
    public Task<object> WriteAsync(ClientWrite write, TimeSpan timeout) =>
        _storeRef is { IsCompletedSuccessfully: true } store ? Send(store.Result, write, timeout) : ResolveThenWrite(write, timeout);

    /// <summary>
    /// The store actor when this incarnation has resolved it, else false with its resolution under way. The data loop
    /// tells a connection's writes straight to it, in request order; an await per write could reorder them.
    /// </summary>
    public bool TryGetStore([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IActorRef? store, out Task<IActorRef> resolving)
    {
        resolving = StoreAsync();
        store = resolving.IsCompletedSuccessfully ? resolving.Result : null;
        return store is not null;
    }

    /// <summary>A write told to a store already resolved (<see cref="TryGetStore"/>): as <see cref="WriteAsync(ClientWrite, TimeSpan)"/>.</summary>
    public Task<object> WriteAsync(IActorRef store, ClientWrite write, TimeSpan timeout) => Send(store, write, timeout);

    private async Task<object> ResolveThenWrite(ClientWrite write, TimeSpan timeout) => await Send(await StoreAsync(), write, timeout);

    private Task<object> Send(IActorRef store, ClientWrite write, TimeSpan timeout)
    {
        var reply = new TaskCompletionSource<object>(); // not asynchronous: the caller continues on the store's thread
        store.Tell(write with { Reply = reply });
        return _writeDeadlines.Track(reply, timeout);
    }

    public async Task<ReadResult> ReadAsync(string key, TimeSpan timeout) =>
        await (await StoreAsync()).Ask<ReadResult>(new ClientRead(key), timeout);

    private Task<IActorRef>? _storeRef;

    /// <summary>The store actor, resolved once per incarnation (asks through a selection cost a lookup each).</summary>
    private Task<IActorRef> StoreAsync()
    {
        if (_storeRef is { IsFaulted: false, IsCanceled: false } cached) return cached;
        return _storeRef = System.ActorSelection(Supervisor.Path / StoreActor.Name).ResolveOne(TimeSpan.FromSeconds(2));
    }

    public Task<CommandResult> SwitchoverAsync(string? target, TimeSpan timeout) =>
        Supervisor.Ask<CommandResult>(new RequestSwitchover(target), timeout);

    public Task<CommandResult> ShutdownHandoverAsync(TimeSpan timeout) =>
        Supervisor.Ask<CommandResult>(RequestShutdownHandover.Instance, timeout);

    private sealed class RestartListener : ReceiveActor
    {
        public RestartListener(TaskCompletionSource<string> restart)
        {
            Receive<ThisActorSystemQuarantinedEvent>(e =>
                restart.TrySetResult($"{e.RemoteAddress} quarantined this incarnation ({e.LocalAddress})"));
            Receive<IncarnationRestartRequested>(e => restart.TrySetResult(e.Reason));
        }
    }
}
