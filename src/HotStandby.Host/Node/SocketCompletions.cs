using System.Net;
using System.Net.Sockets;

namespace HotStandby.Host.Node;

/// <summary>
/// Where .NET runs a socket's completions. By default the socket (epoll) thread hands each one to a thread-pool worker;
/// inline, it runs it itself: Kestrel's request handler, Akka remoting's reads. That is one thread wake-up less per
/// HTTP request and per replication message, which is what a write costs most on a VM (docs/performance.md, "Where the time goes").
/// Safe here because no handler blocks: a request awaits the store and is answered from its thread. And one socket
/// thread rather than one per core: the store takes writes one at a time anyway, and a second thread only adds wake-ups
/// (measured on 2 cores: async writes at 16 clients +18-24 %, the primary's CPU per write 33-35 us instead of 43-44).
/// </summary>
public static class SocketCompletions
{
    public const string InlineVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    public const string ThreadCountVariable = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    /// <summary>
    /// Inline completions on one socket thread, for each variable the operator did not set. .NET reads them when the
    /// first socket is made.
    /// </summary>
    public static void PreferInline()
    {
        if (Environment.GetEnvironmentVariable(InlineVariable) is null) Environment.SetEnvironmentVariable(InlineVariable, "1");
        if (Environment.GetEnvironmentVariable(ThreadCountVariable) is null) Environment.SetEnvironmentVariable(ThreadCountVariable, "1");
    }

    /// <summary>Whether a loopback receive actually completed on the socket thread rather than on a pool worker.</summary>
    public static async Task<bool> RunInline(TimeSpan timeout)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        using var server = await listener.AcceptAsync();
        var completedOnPool = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var receive = new SocketAsyncEventArgs();
        receive.SetBuffer(new byte[1], 0, 1);
        receive.Completed += (_, _) => completedOnPool.TrySetResult(Thread.CurrentThread.IsThreadPoolThread);
        if (!server.ReceiveAsync(receive)) throw new InvalidOperationException("the probe's receive completed before anything was sent");
        client.Send([1]);
        return !await completedOnPool.Task.WaitAsync(timeout);
    }

    /// <summary>
    /// How many socket (epoll) threads this process runs, from their names in /proc; null off Linux. A thread that one
    /// of them has just started carries its name until it names itself, so the fewest of a few looks is the answer.
    /// </summary>
    public static int? SocketThreads()
    {
        if (!Directory.Exists("/proc/self/task")) return null;
        var fewest = int.MaxValue;
        for (var look = 0; look < 3; look++)
        {
            if (look > 0) Thread.Sleep(10);
            fewest = Math.Min(fewest, ThreadsNamed(".NET Sockets"));
        }
        return fewest;
    }

    private static int ThreadsNamed(string name)
    {
        var count = 0;
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).Trim() == name) count++;
            }
            catch (IOException)
            {
                // the thread ended meanwhile
            }
        return count;
    }

    /// <summary>For the start-up log: how completions run, on how many socket threads, and why. A probe that fails says so; the node starts anyway.</summary>
    public static async Task<string> Describe()
    {
        string Value(string name) => $"{name}={Environment.GetEnvironmentVariable(name) ?? "unset"}";
        var settings = $"({Value(InlineVariable)}, {Value(ThreadCountVariable)})";
        try
        {
            var inline = await RunInline(TimeSpan.FromSeconds(5));
            var threads = SocketThreads() is { } n ? $" on {n} socket thread{(n == 1 ? "" : "s")}" : "";
            return $"socket completions run {(inline ? "inline" : "on thread-pool workers")}{threads} {settings}";
        }
        catch (Exception e) when (e is SocketException or TimeoutException or InvalidOperationException)
        {
            return $"socket completions not probed ({e.Message}) {settings}";
        }
    }
}
