using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;
using Akka.Remote.Transport;
using HotStandby.Actors;
using HotStandby.Actors.Protocol;
using HotStandby.Core.Roles;
using HotStandby.Core.Settings;
using Xunit;

namespace HotStandby.Actors.Tests;

/// <summary>
/// Several real nodes in one process, each its own ActorSystem on a loopback port, with transport adapters that can
/// blackhole links. Ports are bound as 0 first and reused on restart so that peers' addresses stay valid.
/// </summary>
public sealed class TestNodes : IAsyncDisposable
{
    private static readonly Config NodeAkkaConfig = ConfigurationFactory.ParseString(
        "akka.loglevel = " + (Environment.GetEnvironmentVariable("HS_SPEC_LOGLEVEL") ?? "WARNING") + "\n" +
        "akka.remote.log-sent-messages = " + (Environment.GetEnvironmentVariable("HS_SPEC_LOGMSG") ?? "off") + "\n" +
        "akka.remote.log-received-messages = " + (Environment.GetEnvironmentVariable("HS_SPEC_LOGMSG") ?? "off") + "\n" + """
        akka.stdout-loglevel = WARNING
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.applied-adapters = [trttl]
        akka.remote.watch-failure-detector {
          heartbeat-interval = 100ms
          acceptable-heartbeat-pause = 300ms
          min-std-deviation = 50ms
          unreachable-nodes-reaper-interval = 50ms
          expected-response-after = 200ms
        }
        akka.remote.retry-gate-closed-for = 200ms
        akka.remote.log-remote-lifecycle-events = off
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        """);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hs-spec-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly Dictionary<string, int> _ports = new();
    private readonly Dictionary<string, (ResilientNode Node, CancellationTokenSource Stop, Task Loop)> _running = new();
    private readonly Dictionary<string, Func<NodeSettings, NodeSettings>> _tweaks = new();
    private readonly List<string> _ids;

    /// <param name="nodes">(node id, is witness, preferred primary)</param>
    public TestNodes(params (string Id, bool Witness, bool Preferred)[] nodes)
    {
        _ids = nodes.Select(n => n.Id).ToList();
        Nodes = nodes;
        var ports = LoopbackPorts.Reserve(_ids.Count);
        for (var i = 0; i < _ids.Count; i++) _ports[_ids[i]] = ports[i];
    }

    public (string Id, bool Witness, bool Preferred)[] Nodes { get; }

    public FailoverMode FailoverMode { get; init; } = FailoverMode.Witness;
    public FailbackMode FailbackMode { get; init; } = FailbackMode.Auto;
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(1);

    public static TestNodes Trio() => new(("a", false, true), ("b", false, false), ("w", true, false));

    public NodeRuntime this[string id] => _running[id].Node.Current;

    public ResilientNode Node(string id) => _running[id].Node;

    public bool IsRunning(string id) => _running.ContainsKey(id);

    public string DataDir(string id) => Path.Combine(_root, id);

    public Address AddressOf(string id) => Address.Parse($"akka.trttl.tcp://{NodeRuntime.SystemName}@127.0.0.1:{_ports[id]}");

    public void Tweak(string id, Func<NodeSettings, NodeSettings> tweak) => _tweaks[id] = tweak;

    public NodeSettings SettingsFor(string id)
    {
        var node = Nodes.Single(n => n.Id == id);
        var settings = new NodeSettings(
            id, node.Witness, node.Preferred,
            Peers: _ids.Where(p => p != id).Select(p => new PeerSettings(AddressOf(p).ToString(), p)).ToList(),
            DataDir: DataDir(id), HttpHostname: "127.0.0.1", HttpPort: 0,
            HeartbeatInterval: TimeSpan.FromMilliseconds(50), AcceptablePause: TimeSpan.FromMilliseconds(400),
            PhiThreshold: 8, SuspectPhi: 3,
            FailoverMode, Lease: TimeSpan.FromMilliseconds(250), ElectionTimeout: TimeSpan.FromMilliseconds(400),
            FailbackMode, StableAfter, SwitchoverTimeout: TimeSpan.FromSeconds(3),
            ShutdownHandoverTimeout: TimeSpan.FromSeconds(3), ReplicationMode.Sync,
            new HookSettings(null, null, null, TimeSpan.FromSeconds(5)))
        {
            Replication = ReplicationSettings.Default with { SyncTimeout = TimeSpan.FromMilliseconds(500), WriteTimeout = TimeSpan.FromSeconds(3) },
        };
        return _tweaks.TryGetValue(id, out var tweak) ? tweak(settings) : settings;
    }

    public NodeRuntime Start(string id)
    {
        var config = ConfigurationFactory.ParseString($"akka.remote.dot-netty.tcp.port = {_ports[id]}").WithFallback(NodeAkkaConfig);
        var node = new ResilientNode(config, SettingsFor(id), onSystemCreated: system => ReapplyBlackholes(id, system));
        var runtime = node.Start();
        var stop = new CancellationTokenSource();
        _running[id] = (node, stop, Task.Run(() => node.RunAsync(stop.Token)));
        return runtime;
    }

    public void StartAll()
    {
        foreach (var id in _ids) Start(id);
    }

    /// <summary>Terminates the node's actor system abruptly (no hand-over), as a crash does.</summary>
    public async Task Kill(string id)
    {
        var (node, stop, _) = _running[id];
        _running.Remove(id);
        await stop.CancelAsync();
        await node.StopAsync();
    }

    private readonly HashSet<(string, string)> _blackholed = new();

    /// <summary>
    /// Drops every packet between this node and all others, both directions, at both ends. Akka's throttler matches a
    /// connection by the address it was opened to, so both ends must know, and a new incarnation must be told again.
    /// </summary>
    public Task Isolate(string id) => SetLinks(id, _ids.Where(o => o != id), Blackhole.Instance);

    public Task Heal(string id) => SetLinks(id, _ids.Where(o => o != id), Unthrottled.Instance);

    /// <summary>Cuts only the link between two nodes.</summary>
    public Task Cut(string a, string b) => SetLinks(a, [b], Blackhole.Instance);

    public Task Mend(string a, string b) => SetLinks(a, [b], Unthrottled.Instance);

    private void ReapplyBlackholes(string id, ActorSystem system)
    {
        foreach (var (x, y) in _blackholed.ToList())
        {
            var other = x == id ? y : y == id ? x : null;
            if (other is null) continue;
            var transport = ((RemoteActorRefProvider)((ExtendedActorSystem)system).Provider).Transport;
            if (!Throttle(transport, AddressOf(other), Blackhole.Instance).Wait(TimeSpan.FromSeconds(60)))
                throw new TimeoutException($"the throttler did not confirm the blackhole {id} -> {other}");
        }
    }

    /// <summary>True when every running node hears and DeathWatches every other running node.</summary>
    public async Task<bool> AllConnected()
    {
        foreach (var id in _running.Keys.ToList())
        {
            var status = await Status(id);
            var reachable = status.Health.Where(h => h.Reachability == Reachability.Reachable && h.Watched).Select(h => h.NodeId).ToHashSet();
            if (!_running.Keys.Where(o => o != id).All(reachable.Contains)) return false;
        }
        return true;
    }

    private async Task SetLinks(string id, IEnumerable<string> others, ThrottleMode mode)
    {
        foreach (var other in others)
        {
            if (mode is Blackhole) _blackholed.Add((id, other));
            else _blackholed.RemoveWhere(p => p == (id, other) || p == (other, id));
            if (!_running.ContainsKey(other)) continue;
            if (_running.ContainsKey(id)) await Throttle(Transport(this[id]), AddressOf(other), mode);
            await Throttle(Transport(this[other]), AddressOf(id), mode);
        }
    }

    /// <summary>
    /// The throttler answers within its own 5 s ask, which a system just started on a loaded CI machine can miss (seen
    /// once). Its commands are idempotent, so ask again, a bounded number of times.
    /// </summary>
    private static async Task Throttle(RemoteTransport transport, Address to, ThrottleMode mode)
    {
        var command = new SetThrottle(to, ThrottleTransportAdapter.Direction.Both, mode);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Assert.True(await transport.ManagementCommand(command));
                return;
            }
            catch (Exception e) when (attempt < 4 && IsAskTimeout(e))
            {
                // ask again
            }
        }
    }

    private static bool IsAskTimeout(Exception e) =>
        e is AskTimeoutException || (e is AggregateException a && a.Flatten().InnerExceptions.Any(i => i is AskTimeoutException));

    private static RemoteTransport Transport(NodeRuntime runtime) =>
        ((RemoteActorRefProvider)((ExtendedActorSystem)runtime.System).Provider).Transport;

    /// <summary>Writes through the node's store: <see cref="WriteCommitted"/> or <see cref="WriteRefused"/>.</summary>
    public Task<object> Put(string id, string key, string value) =>
        this[id].WriteAsync(new ClientWrite(Core.Data.EntryKind.Put, key, System.Text.Encoding.UTF8.GetBytes(value)), TimeSpan.FromSeconds(10));

    public async Task<string?> Get(string id, string key)
    {
        var result = await this[id].ReadAsync(key, TimeSpan.FromSeconds(5));
        return result.Status == 200 ? System.Text.Encoding.UTF8.GetString(result.Value!).TrimEnd('p') : null;
    }

    /// <summary>
    /// <paramref name="count"/> unique keys written by <paramref name="concurrency"/> writers until the node stops
    /// answering; returns the keys whose writes were acknowledged.
    /// </summary>
    /// <summary>Why writes of <see cref="PutMany"/> were refused (for failure messages).</summary>
    public List<string> Refusals { get; } = new();

    /// <param name="retryRefused">write a refused key again (a lease that lapsed under load), a bounded number of times</param>
    public async Task<List<string>> PutMany(string id, string prefix, int count, int concurrency, Action<int>? onAcked = null,
        bool retryRefused = false, int valueBytes = 0)
    {
        var padding = new string('p', valueBytes);
        var acked = new List<string>();
        var next = -1;
        var runtime = this[id];
        async Task Writer()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var key = $"{prefix}{i}";
                for (var attempt = 0; attempt < (retryRefused ? 100 : 1); attempt++)
                try
                {
                    var result = await runtime.WriteAsync(new ClientWrite(Core.Data.EntryKind.Put, key, System.Text.Encoding.UTF8.GetBytes("v" + i + padding)),
                        TimeSpan.FromSeconds(10));
                    if (result is WriteRefused refused)
                        lock (Refusals) Refusals.Add(refused.Error);
                    if (result is WriteCommitted)
                    {
                        lock (acked)
                        {
                            acked.Add(key);
                            onAcked?.Invoke(acked.Count);
                        }
                        break;
                    }
                    if (retryRefused) await Task.Delay(20); // a client's backoff before retrying a refused write, not a wait for a condition
                }
                catch (Exception e)
                {
                    lock (Refusals) Refusals.Add(e.GetType().Name + ": " + e.Message);
                    return; // the node is gone
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Writer)));
        return acked;
    }

    public async Task<NodeStatusReport> Status(string id) => await this[id].StatusAsync(TimeSpan.FromSeconds(3));

    public async Task<NodeRole> RoleOf(string id) => (await Status(id)).Core.Role;

    /// <summary>Ids of running nodes that currently may acknowledge writes.</summary>
    public async Task<List<string>> Serving()
    {
        var serving = new List<string>();
        foreach (var id in _running.Keys.ToList())
            if ((await Status(id)).Core.CanServeWrites) serving.Add(id);
        return serving;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (node, stop, _) in _running.Values)
        {
            await stop.CancelAsync();
            await node.StopAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        }
        _running.Clear();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
