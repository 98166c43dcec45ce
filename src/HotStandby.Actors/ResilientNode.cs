using Akka.Actor;
using Akka.Configuration;
using HotStandby.Core.Roles;
using HotStandby.Core.Settings;
using HotStandby.Storage;

namespace HotStandby.Actors;

/// <summary>
/// Runs a node across incarnations: when the current actor system must be replaced (Akka quarantine), it terminates it
/// and starts a new one on the same address with the same core and data directory, so a healed partition converges
/// without an operator. An actor system that dies for any other reason ends <see cref="RunAsync"/> with an error.
/// </summary>
public sealed class ResilientNode
{
    private readonly Config _akkaConfig;
    private readonly NodeStateStore _store;
    private readonly IMonotonicClock _clock;
    private readonly Action<string> _log;
    private volatile NodeRuntime? _current;
    private volatile bool _stopping;
    private readonly Action<ActorSystem> _onSystemCreated;

    /// <param name="onSystemCreated">runs on every new actor system before the node starts in it (tests inject faults here)</param>
    public ResilientNode(Config akkaConfig, NodeSettings settings, IMonotonicClock? clock = null, Action<string>? log = null,
        Action<ActorSystem>? onSystemCreated = null)
    {
        _onSystemCreated = onSystemCreated ?? (_ => { });
        _akkaConfig = akkaConfig;
        Settings = settings;
        _clock = clock ?? MonotonicClock.Instance;
        _log = log ?? (_ => { });
        _store = new NodeStateStore(settings.DataDir);
        Data = NodeRuntime.OpenData(settings, _log);
        Core = NodeRuntime.CreateCore(settings, _store, _clock, Data);
    }

    /// <summary>The node's log and key-value state (null on a witness); it outlives incarnations like the core.</summary>
    public DataStore? Data { get; }

    public NodeSettings Settings { get; }

    /// <summary>The decision core; only the current supervisor touches it.</summary>
    public NodeCore Core { get; }

    public NodeRuntime Current => _current ?? throw new InvalidOperationException("the node has not started");

    public int Incarnations { get; private set; }

    public NodeRuntime Start()
    {
        _current = StartIncarnation();
        Incarnations = 1;
        return _current;
    }

    /// <summary>Replaces incarnations as they ask for it, until <paramref name="stop"/>; throws when a system dies on its own.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var stopped = Task.Delay(Timeout.Infinite, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        while (true)
        {
            var current = Current;
            var restart = current.RestartRequested;
            var done = await Task.WhenAny(restart, current.System.WhenTerminated, stopped);
            if (done == stopped || _stopping) return;
            if (done == current.System.WhenTerminated)
                throw new InvalidOperationException($"the actor system of {Settings.NodeId} terminated on its own");
            await ReplaceIncarnation(await restart, stop);
        }
    }

    private async Task ReplaceIncarnation(string reason, CancellationToken stop)
    {
        _log($"new incarnation: {reason}");
        await Current.System.Terminate();
        Core.OnNewIncarnation();
        // Rebinding the same port can fail for a moment after the old system let go of it.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _current = StartIncarnation();
                Incarnations++;
                _log($"incarnation {Incarnations} started at {_current.Address}");
                return;
            }
            catch (Exception e) when (attempt < 30 && !stop.IsCancellationRequested)
            {
                _log($"incarnation start attempt {attempt} failed: {e.Message}; retrying");
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(100 * attempt, 1000)), stop);
            }
        }
    }

    private NodeRuntime StartIncarnation()
    {
        var system = NodeRuntime.CreateSystem(_akkaConfig);
        _onSystemCreated(system);
        return NodeRuntime.Start(system, Settings, _store, Core, _clock, Data);
    }

    /// <summary>Stops for good: no further incarnations.</summary>
    public async Task StopAsync()
    {
        _stopping = true;
        if (_current is { } current)
            await current.System.Terminate();
        Data?.Dispose();
    }
}
