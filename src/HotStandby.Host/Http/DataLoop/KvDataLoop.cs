using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using Akka.Dispatch;
using HotStandby.Actors;
using HotStandby.Actors.Node;

namespace HotStandby.Host.Http.DataLoop;

/// <summary>
/// The data node's write path on one thread, as Redis has it: the loop owns the HTTP port, reads every ready
/// connection, parses the <c>/kv</c> requests it serves (<see cref="KvRequestParser"/>) and tells them to the store,
/// whose actor runs on this same thread (<see cref="DataLoopExecutorConfigurator"/>); the store's group fsync and commit
/// follow in the same turn, and the answers are written before the loop waits again. No thread hand-off per write.
/// Every other connection or request goes to Kestrel (<see cref="HandOverTransport"/>), which serves the rest of the API.
/// </summary>
public sealed partial class KvDataLoop : IDisposable
{
    private const ulong WakeId = 0, FirstListenerId = 1, FirstConnectionId = 8;
    private static readonly ConcurrentDictionary<string, KvDataLoop> Registry = new();

    private readonly Socket[] _listeners;
    private readonly int _epoll;
    private readonly int _wakeFd;
    private readonly ConcurrentQueue<IRunnable> _runQueue = new();
    private readonly Dictionary<ulong, LoopConnection> _connections = new();
    private readonly List<LoopConnection> _dirty = new();
    private readonly List<LoopConnection> _awaitingStore = new();
    private readonly Action<string> _warn;
    private readonly Thread _thread;
    private Func<ResilientNode?> _node = () => null;
    private ulong _nextId = FirstConnectionId;
    private bool _storeWaitArmed;
    private long _lastIdleSweepMs;
    private int _sleeping;
    private int _signaled;
    private volatile bool _stopping;
    private volatile bool _stopped;

    private KvDataLoop(Socket[] listeners, HandOverTransport handOver, Action<string> warn)
    {
        _listeners = listeners;
        HandOver = handOver;
        _warn = warn;
        Name = $"data-loop-{Guid.NewGuid():N}";
        _epoll = Libc.CreateEpoll();
        _wakeFd = Libc.CreateEventFd();
        for (var i = 0; i < listeners.Length; i++)
            Libc.Control(_epoll, Libc.EpollCtlAdd, (int)listeners[i].Handle, Libc.EpollIn, FirstListenerId + (ulong)i);
        Libc.Control(_epoll, Libc.EpollCtlAdd, _wakeFd, Libc.EpollIn, WakeId);
        _thread = new Thread(Run) { IsBackground = true, Name = "hotstandby-data-loop" };
        Registry[Name] = this;
    }

    /// <summary>The key the store's dispatcher names this loop by (<c>data-loop</c> in its HOCON).</summary>
    public string Name { get; }

    public HandOverTransport HandOver { get; }

    /// <summary>The first address bound (for <c>localhost</c>, the IPv4 loopback; the IPv6 one shares its port).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listeners[0].LocalEndPoint!;

    /// <summary>
    /// <paramref name="nodeConfig"/> with the store's dispatcher on this loop, and in async mode the replication senders'
    /// too (unless the node's configuration sets <c>akka.actor.replication-dispatcher</c> itself): the store tells them
    /// of every flush and commit point, each a thread-pool wake-up otherwise (async, 16 clients: 38.8k against 33.0k
    /// writes/s). Not in sync mode: there a sender on the loop would ship each batch only after the primary's own fsync
    /// instead of during it (15.4k against 19.4k).
    /// </summary>
    public Config WithDispatchers(Config nodeConfig, bool sendersOnLoop)
    {
        var onLoop = $$"""
            type = Dispatcher
            executor = "{{typeof(DataLoopExecutorConfigurator).AssemblyQualifiedName}}"
            data-loop = "{{Name}}"
            throughput = 100
            """;
        var store = ConfigurationFactory.ParseString($"akka.actor.store-dispatcher {{\n{onLoop}\n}}");
        var senders = !sendersOnLoop || nodeConfig.HasPath(ReplicationSender.DispatcherId)
            ? Config.Empty
            : ConfigurationFactory.ParseString($"{ReplicationSender.DispatcherId} {{\n{onLoop}\n}}");
        return senders.WithFallback(store).WithFallback(nodeConfig);
    }

    /// <exception cref="SocketException">the address cannot be bound (in use, not local)</exception>
    public static KvDataLoop Bind(string hostname, int port, Action<string> warn)
    {
        var listeners = new List<Socket>();
        try
        {
            var addresses = ListenAddresses(hostname);
            listeners.Add(Listen(addresses[0], port));
            // As Kestrel does for "localhost": the IPv6 loopback too, on the same port, where the machine has one.
            if (addresses.Length > 1 && Socket.OSSupportsIPv6)
            {
                try
                {
                    listeners.Add(Listen(addresses[1], ((IPEndPoint)listeners[0].LocalEndPoint!).Port));
                }
                catch (SocketException e)
                {
                    warn($"data loop: not listening on {addresses[1]} as well: {e.Message}");
                }
            }
            return new KvDataLoop(listeners.ToArray(), new HandOverTransport(), warn);
        }
        catch
        {
            foreach (var listener in listeners) listener.Dispose();
            throw;
        }
    }

    private static Socket Listen(IPAddress address, int port)
    {
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any)) listener.DualMode = true;
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(new IPEndPoint(address, port));
            listener.Listen(512);
            listener.Blocking = false;
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>What Kestrel would bind for <c>http://{hostname}:port</c>: "localhost" is both loopbacks, IPv4 first.</summary>
    private static IPAddress[] ListenAddresses(string hostname)
    {
        if (IPAddress.TryParse(hostname.Trim('[', ']'), out var ip)) return [ip];
        if (hostname is "*" or "+") return [IPAddress.IPv6Any];
        if (hostname.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return [IPAddress.Loopback, IPAddress.IPv6Loopback];
        return [Dns.GetHostAddresses(hostname).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? throw new SocketException((int)SocketError.HostNotFound)];
    }

    internal static KvDataLoop Find(string name) =>
        Registry.TryGetValue(name, out var loop) ? loop : throw new InvalidOperationException($"no data loop named {name}");

    /// <summary>Starts serving; until <paramref name="node"/> gives a node, every connection goes to Kestrel.</summary>
    public void Start(Func<ResilientNode?> node, Limits limits)
    {
        _node = node;
        _limits = limits;
        _thread.Start();
    }

    /// <summary>The loop's thread: the store (and in async mode the replication senders) run on it.</summary>
    public int ThreadId => _thread.ManagedThreadId;

    private bool OnLoopThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    /// <summary>Runs <paramref name="work"/> on the loop's thread (after the current turn's requests); any thread may call it.</summary>
    public void Post(IRunnable work)
    {
        _runQueue.Enqueue(work);
        if (_stopped)
        {
            DrainToPool();
            return;
        }
        if (Volatile.Read(ref _sleeping) != 0 && Interlocked.Exchange(ref _signaled, 1) == 0) Libc.Signal(_wakeFd);
    }

    /// <summary>An answer is set: on the loop's thread it is marked at once, from another thread it is posted.</summary>
    internal void Deliver(PendingAnswer answer)
    {
        if (OnLoopThread) answer.Run();
        else Post(answer);
    }

    internal void MarkDirty(LoopConnection c)
    {
        if (c.Dirty || c.Closed) return;
        c.Dirty = true;
        _dirty.Add(c);
    }

    private unsafe void Run()
    {
        var events = new Libc.EpollEvent[256];
        while (!_stopping)
        {
            try
            {
                var ready = Wait(events);
                for (var i = 0; i < ready; i++) OnEvent(events[i]);
                RunQueued();
                SendAnswers();
                CloseIdleConnections();
            }
            catch (Exception e)
            {
                _warn($"data loop: {e.GetType().Name}: {e.Message}; continuing");
            }
        }
        foreach (var c in _connections.Values.ToList()) Close(c);
        _stopped = true;
        DrainToPool();
    }

    private unsafe int Wait(Libc.EpollEvent[] events)
    {
        Volatile.Write(ref _sleeping, 1);
        Interlocked.MemoryBarrier();
        var timeout = _runQueue.IsEmpty ? (int)Math.Min(500, Math.Max(_limits.IdleTimeout.TotalMilliseconds / 2, 10)) : 0;
        int ready;
        fixed (Libc.EpollEvent* e = events) ready = Libc.EpollWait(_epoll, e, events.Length, timeout);
        Volatile.Write(ref _sleeping, 0);
        return Math.Max(ready, 0); // -1: EINTR
    }

    private void OnEvent(Libc.EpollEvent e)
    {
        switch (e.Data)
        {
            case < FirstConnectionId and >= FirstListenerId:
                AcceptAll(_listeners[(int)(e.Data - FirstListenerId)]);
                break;
            case WakeId:
                Libc.Drain(_wakeFd);
                Volatile.Write(ref _signaled, 0);
                break;
            default:
                if (_connections.TryGetValue(e.Data, out var c)) OnConnectionEvent(c, e.Events);
                break;
        }
    }

    /// <summary>Everything posted: the store's mailbox (the turn's writes, then its flush), answers set on other threads.</summary>
    private void RunQueued()
    {
        for (var n = 0; n < 100_000 && _runQueue.TryDequeue(out var work); n++)
        {
            try
            {
                work.Run();
            }
            catch (Exception e)
            {
                _warn($"data loop: {work.GetType().Name} failed: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    /// <summary>After the loop stopped: what is still posted runs on the thread pool (mailboxes run anywhere, one at a time).</summary>
    private void DrainToPool()
    {
        while (_runQueue.TryDequeue(out var work)) ThreadPool.UnsafeQueueUserWorkItem(work, preferLocal: false);
    }

    /// <summary>A piece of the loop's own work, posted from another thread.</summary>
    private sealed class LoopWork(Action action) : IRunnable
    {
        public void Run() => action();
        public void Execute() => action();
    }

    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        if (_thread.IsAlive)
        {
            Libc.Signal(_wakeFd);
            if (!_thread.Join(TimeSpan.FromSeconds(5))) _warn("data loop: its thread did not stop within 5 s");
        }
        else
        {
            _stopped = true;
        }
        Registry.TryRemove(Name, out _);
        foreach (var listener in _listeners) listener.Dispose();
        Libc.Close(_epoll);
        Libc.Close(_wakeFd);
        HandOver.Dispose();
    }
}
