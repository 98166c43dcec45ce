using HotStandby.Core.Protocol;
using HotStandby.Core.Roles;
using HotStandby.Core.Settings;

namespace HotStandby.Core.Tests.Simulation;

/// <summary>
/// A, B and the witness as pure cores in virtual time: a discrete-event network with delays, loss, one-way cuts,
/// crashes (durable state kept, memory lost), pauses (a frozen process whose messages queue up) and drifting clocks.
/// The safety checks run after every event; <see cref="Run"/> reports the first violation with the trace that led to it.
/// </summary>
public sealed class SimCluster
{
    public static readonly string[] Names = ["a", "b", "w"];
    private const long HeartbeatMs = 50, TickMs = 25;

    private abstract record Event;
    private sealed record TickEvent(int Node) : Event;
    private sealed record BeatEvent(int Node) : Event;
    private sealed record DeliverEvent(int From, int To, IPeerMessage Message) : Event;
    private sealed record FaultEvent(SimFault Fault, bool Start) : Event;
    private sealed record HealAllEvent : Event;

    private readonly CoreSettings[] _settings;
    private readonly NodeCore?[] _cores = new NodeCore?[3];
    private readonly PersistentState[] _disks = [PersistentState.Initial, PersistentState.Initial, PersistentState.Initial];
    private readonly int[] _crashed = new int[3];
    private readonly int[] _paused = new int[3];
    private readonly List<(int From, IPeerMessage Message)>[] _inbox = [new(), new(), new()];
    private readonly double[] _rate = new double[3];
    private readonly long[] _offset = new long[3];
    private readonly Dictionary<(int, int), int> _cut = new();
    private readonly List<double> _losses = new();
    private readonly PriorityQueue<Event, (long, long)> _queue = new();
    private readonly Random _net;
    private readonly Dictionary<long, string> _primaryOfEpoch = new();
    private readonly Queue<string> _trace = new();
    private readonly FailoverMode _mode;
    private long _seq;
    private long _now;

    public SimCluster(int seed, FailoverMode mode = FailoverMode.Witness, FailbackMode failback = FailbackMode.Auto)
    {
        _mode = mode;
        _net = new Random(seed * 7919 + 17);
        var ids = mode == FailoverMode.TwoNode ? 2 : 3;
        NodeCount = ids;
        _settings = Enumerable.Range(0, 3).Select(i => new CoreSettings(
            Names[i], IsWitness: i == 2, PreferredPrimary: i == 0, VoterCount: ids, mode, failback,
            HeartbeatIntervalMs: HeartbeatMs, PromotionWaitMs: 250, LeaseMs: 150, ElectionTimeoutMs: 250,
            StableAfterMs: 1000, SwitchoverTimeoutMs: 1000)).ToArray();
        for (var i = 0; i < 3; i++)
        {
            _rate[i] = 1.0 + (_net.NextDouble() - 0.5) * 0.04; // ±2 % clock rate
            _offset[i] = _net.NextInt64(0, 1_000_000);
        }
    }

    public int NodeCount { get; }

    /// <summary>Runs the schedule, then heals everything; returns null or the first violated guarantee.</summary>
    /// <param name="recoveryBoundMs">how long after the last fault heals a serving primary must exist</param>
    public string? Run(SimSchedule schedule, long recoveryBoundMs)
    {
        for (var i = 0; i < NodeCount; i++)
        {
            _cores[i] = new NodeCore(_settings[i], _disks[i], Local(i));
            Schedule(_net.Next(0, (int)TickMs), new TickEvent(i));
            Schedule(_net.Next(0, (int)HeartbeatMs), new BeatEvent(i));
        }
        foreach (var fault in schedule.Faults)
        {
            var node = fault switch { SimFault.Crash c => c.Node, SimFault.Pause p => p.Node, SimFault.Switchover o => o.Node, _ => 0 };
            if (node >= NodeCount || fault is SimFault.Switchover { Target: >= 2 } && NodeCount < 3) continue;
            Schedule(fault.AtMs, new FaultEvent(fault, Start: true));
            Schedule(fault.UntilMs, new FaultEvent(fault, Start: false));
        }
        Schedule(schedule.FaultsEndMs, new HealAllEvent());

        var end = schedule.FaultsEndMs + recoveryBoundMs;
        long? servingSince = null;
        while (_queue.TryDequeue(out var e, out var key) && key.Item1 <= end + 1000)
        {
            _now = key.Item1;
            Process(e);
            if (CheckSafety() is { } violation) return Fail(schedule, violation);
            if (_now >= schedule.FaultsEndMs)
            {
                var serving = ServingNodes();
                if (serving.Count == 1) servingSince ??= _now;
                else servingSince = null;
                if (_now > end && servingSince is null)
                    return Fail(schedule, $"no serving primary within {recoveryBoundMs} ms after the faults healed");
            }
        }
        return servingSince is null ? Fail(schedule, "no single serving primary at the end") : null;
    }

    private string Fail(SimSchedule schedule, string violation) =>
        $"{violation} at t={_now} ms\n{schedule}\nlast events:\n  {string.Join("\n  ", _trace)}";

    private long Local(int i) => _offset[i] + (long)(_now * _rate[i]);

    private bool Up(int i) => _cores[i] is not null && _crashed[i] == 0;

    private void Schedule(long at, Event e) => _queue.Enqueue(e, (at, _seq++));

    private List<int> ServingNodes() =>
        Enumerable.Range(0, NodeCount).Where(i => Up(i) && _paused[i] == 0 && _cores[i]!.CanServeWrites(Local(i))).ToList();

    private string? CheckSafety()
    {
        if (_mode != FailoverMode.Witness) return null; // two-node mode is availability first: split brain is allowed
        var serving = ServingNodes();
        return serving.Count > 1 ? $"split brain: {string.Join(", ", serving.Select(i => $"{Names[i]} (epoch {_cores[i]!.Epoch})"))} may all acknowledge writes" : null;
    }

    private void Process(Event e)
    {
        switch (e)
        {
            case TickEvent t:
                if (Up(t.Node) && _paused[t.Node] == 0) Apply(t.Node, _cores[t.Node]!.Handle(Tick.Instance, Local(t.Node)));
                Schedule(_now + TickMs, t);
                break;
            case BeatEvent b:
                if (Up(b.Node) && _paused[b.Node] == 0) SendHeartbeats(b.Node);
                Schedule(_now + HeartbeatMs, b);
                break;
            case DeliverEvent d:
                if (!Up(d.To)) break;
                if (_paused[d.To] > 0) _inbox[d.To].Add((d.From, d.Message));
                else Apply(d.To, _cores[d.To]!.Handle(d.Message, Local(d.To)));
                break;
            case FaultEvent f:
                ApplyFault(f.Fault, f.Start);
                break;
            case HealAllEvent:
                _cut.Clear();
                _losses.Clear();
                for (var i = 0; i < NodeCount; i++)
                {
                    if (_crashed[i] > 0) { _crashed[i] = 1; Restart(i); }
                    if (_paused[i] > 0) { _paused[i] = 1; Resume(i); }
                }
                Trace("all faults healed");
                break;
        }
    }

    private void ApplyFault(SimFault fault, bool start)
    {
        switch (fault)
        {
            case SimFault.Crash c when start:
                if (_crashed[c.Node]++ == 0)
                {
                    _cores[c.Node] = null;
                    _inbox[c.Node].Clear();
                    _paused[c.Node] = 0;
                    Trace($"crash {Names[c.Node]}");
                }
                break;
            case SimFault.Crash c:
                if (_crashed[c.Node] > 0) Restart(c.Node);
                break;
            case SimFault.Pause p when start:
                if (Up(p.Node) && _paused[p.Node]++ == 0) Trace($"pause {Names[p.Node]}");
                break;
            case SimFault.Pause p:
                if (_paused[p.Node] > 0) Resume(p.Node);
                break;
            case SimFault.Partition p:
                foreach (var link in p.Links)
                    _cut[link] = Math.Max(0, _cut.GetValueOrDefault(link) + (start ? 1 : -1));
                Trace($"{(start ? "cut" : "mend")} {string.Join(" ", p.Links.Select(l => $"{Names[l.From]}->{Names[l.To]}"))}");
                break;
            case SimFault.Switchover o when start:
                if (Up(o.Node) && _paused[o.Node] == 0)
                {
                    var effects = _cores[o.Node]!.Handle(new SwitchoverCommand(o.Target is { } t ? Names[t] : null, "operator"), Local(o.Node));
                    Trace($"operator switchover at {Names[o.Node]}: {effects.OfType<CommandResult>().FirstOrDefault()?.Message}");
                    Apply(o.Node, effects);
                }
                break;
            case SimFault.Switchover:
                break;
            case SimFault.Loss l:
                if (start) _losses.Add(l.Probability);
                else _losses.Remove(l.Probability);
                break;
        }
    }

    private void Restart(int i)
    {
        if (--_crashed[i] > 0) return;
        _cores[i] = new NodeCore(_settings[i], _disks[i], Local(i));
        Trace($"restart {Names[i]} at epoch {_disks[i].Epoch}");
    }

    private void Resume(int i)
    {
        if (--_paused[i] > 0) return;
        Trace($"resume {Names[i]}");
        var pending = _inbox[i].ToList();
        _inbox[i].Clear();
        foreach (var (_, message) in pending)
            if (Up(i)) Apply(i, _cores[i]!.Handle(message, Local(i)));
    }

    private void SendHeartbeats(int from)
    {
        var local = Local(from);
        var heartbeat = _cores[from]!.HeartbeatFor(local, local);
        for (var to = 0; to < NodeCount; to++)
            if (to != from) Send(from, to, heartbeat);
    }

    private void Send(int from, int to, IPeerMessage message)
    {
        if (_cut.GetValueOrDefault((from, to)) > 0) return;
        if (_losses.Count > 0 && _net.NextDouble() < _losses.Max()) return;
        Schedule(_now + 1 + _net.Next(15), new DeliverEvent(from, to, message));
    }

    private void Apply(int node, IReadOnlyList<ICoreEffect> effects)
    {
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case PersistState p:
                    if (p.State.Epoch < _disks[node].Epoch)
                        throw new InvalidOperationException($"{Names[node]} persisted epoch {p.State.Epoch} below {_disks[node].Epoch}");
                    _disks[node] = p.State;
                    break;
                case Broadcast b:
                    for (var to = 0; to < NodeCount; to++)
                        if (to != node) Send(node, to, b.Message);
                    break;
                case SendTo s:
                    Send(node, Array.IndexOf(Names, s.NodeId), s.Message);
                    break;
                case SendHeartbeatNow:
                    SendHeartbeats(node);
                    break;
                case RoleChanged rc:
                    Trace($"{Names[node]} {rc.Change.ToLogLine()}");
                    if (rc.Change.To == NodeRole.Primary && _mode == FailoverMode.Witness)
                    {
                        if (_primaryOfEpoch.TryGetValue(rc.Change.Epoch, out var other) && other != Names[node])
                            throw new SimViolation($"two primaries in epoch {rc.Change.Epoch}: {other} and {Names[node]}");
                        _primaryOfEpoch[rc.Change.Epoch] = Names[node];
                    }
                    break;
            }
        }
    }

    private void Trace(string line)
    {
        _trace.Enqueue($"{_now,6} ms {line}");
        if (_trace.Count > 40) _trace.Dequeue();
    }
}

public sealed class SimViolation(string message) : Exception(message);
