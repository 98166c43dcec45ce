using System.Runtime.InteropServices;
using Akka.Configuration;
using HotStandby.Actors;
using HotStandby.Core.Roles;
using HotStandby.Core.Settings;
using HotStandby.Host.Configuration;
using HotStandby.Host.Http;
using HotStandby.Host.Http.DataLoop;
using HotStandby.Storage;

namespace HotStandby.Host.Node;

/// <summary>
/// <c>hotstandby run</c>: one node until SIGINT/SIGTERM. A primary with a healthy standby hands over before it exits.
/// Exit codes: 0 graceful stop, 3 data directory unusable (corrupt or locked), 1 the node failed on its own.
/// </summary>
public static class NodeHost
{
    public const int ExitOk = 0, ExitFault = 1, ExitData = 3;

    private static readonly Config HostAkkaConfig = ConfigurationFactory.ParseString("""
        akka.loggers = ["HotStandby.Host.Node.ConsoleLogger, hotstandby"]
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        akka.coordinated-shutdown.exit-clr = off
        """);

    public static async Task<int> RunAsync(LoadedConfig loaded)
    {
        var settings = loaded.Settings;
        var log = (string message) => Console.Out.WriteLine($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} INFO  host: {message}");
        var warn = (string message) => Console.Out.WriteLine($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} WARN  host: {message}");
        log(await SocketCompletions.Describe());
        log(GcSettings.Describe(settings, out var gcWarning));
        if (gcWarning is not null) warn(gcWarning);
        using var gcPauses = GcPauseWatch.OfProcess = new GcPauseWatch(settings.Lease, warn, TimeSpan.FromMilliseconds(100));
        KvDataLoop? loop;
        try
        {
            loop = settings.HttpDataLoop && !settings.IsWitness && OperatingSystem.IsLinux() ? KvDataLoop.Bind(settings.HttpHostname, settings.HttpPort, warn) : null;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            Console.Error.WriteLine($"hotstandby: cannot serve HTTP on {settings.HttpHostname}:{settings.HttpPort} (hotstandby.http.port): {FirstLine(e.Message)}");
            return ExitFault;
        }
        using var _loop = loop; // disposed last: the store's mailbox runs on it until the actor system has stopped
        DataDirectoryLock dataLock;
        ResilientNode node;
        try
        {
            dataLock = DataDirectoryLock.Acquire(settings.DataDir);
            var akkaConfig = loaded.Config.WithFallback(HostAkkaConfig);
            node = new ResilientNode(loop is null ? akkaConfig : loop.WithDispatchers(akkaConfig, sendersOnLoop: settings.ReplicationMode == ReplicationMode.Async), settings, log: log);
        }
        catch (CorruptDataException e)
        {
            Console.Error.WriteLine($"hotstandby: refusing to start: {e.Message}");
            return ExitData;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"hotstandby: refusing to start: {e.Message}");
            return ExitData;
        }

        using (dataLock)
        {
            ResilientNode? started = null;
            HttpApi http;
            try
            {
                http = await HttpApi.StartAsync(settings.HttpHostname, settings.HttpPort, () => started, loop);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"hotstandby: cannot serve HTTP on {settings.HttpHostname}:{settings.HttpPort} (hotstandby.http.port): {FirstLine(e.Message)}");
                return ExitFault;
            }
            await using var _ = http;
            node.Core.HttpUrl = http.Url;
            loop?.Start(() => started, new KvDataLoop.Limits(settings.Kv.MaxKeyBytes, settings.Kv.MaxValueBytes,
                KvRoutes.WriteWait(settings), KvDataLoop.Limits.KestrelKeepAlive));
            NodeRuntime runtime;
            try
            {
                runtime = node.Start();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"hotstandby: cannot start remoting on port {loaded.RemotingPort} (akka.remote.dot-netty.tcp.port): {Innermost(e)}");
                return ExitFault;
            }
            started = node;
            log($"node {settings.NodeId} ({(settings.IsWitness ? "witness" : "data")}) at {runtime.Address}, HTTP {http.Url}{(loop is null ? "" : " (/kv on the data loop)")}, data {settings.DataDir}");

            using var stop = new CancellationTokenSource();
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop.Cancel(); });

            var running = node.RunAsync(stop.Token);
            try
            {
                await running;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"hotstandby: node stopped: {e.Message}");
                return ExitFault;
            }
            await HandOverBeforeExit(node, log);
            await node.StopAsync();
            log("stopped");
            return ExitOk;
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    /// <summary>The root cause's message; Akka wraps a bind failure in several aggregate exceptions.</summary>
    private static string Innermost(Exception e)
    {
        while (e.InnerException is { } inner) e = inner;
        return FirstLine(e.Message);
    }

    /// <summary>A stopping primary hands the role to a healthy standby and waits until it follows the new primary.</summary>
    private static async Task HandOverBeforeExit(ResilientNode node, Action<string> log)
    {
        var timeout = node.Settings.ShutdownHandoverTimeout;
        try
        {
            var result = await node.Current.ShutdownHandoverAsync(TimeSpan.FromSeconds(3));
            log($"shutdown: {result.Message}");
            if (!result.Accepted) return;
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                var status = await node.Current.StatusAsync(TimeSpan.FromSeconds(3));
                if (status.Core.Role is not (NodeRole.Primary or NodeRole.Demoting) && status.Core.PrimaryId is { } p && p != node.Settings.NodeId)
                {
                    log($"shutdown: {p} is primary now");
                    return;
                }
                await Task.Delay(20);
            }
            log($"shutdown: no successor confirmed within {timeout.TotalMilliseconds} ms; stopping anyway");
        }
        catch (Exception e)
        {
            log($"shutdown: hand-over failed: {e.Message}");
        }
    }
}
