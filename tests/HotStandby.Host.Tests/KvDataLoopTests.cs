using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using HotStandby.Host.Http.DataLoop;
using Xunit;

namespace HotStandby.Host.Tests;

/// <summary>The data loop in this process: its dispatcher, the hand-over to Kestrel's transport, idle connections.</summary>
public sealed class KvDataLoopTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private readonly KvDataLoop _loop = KvDataLoop.Bind("127.0.0.1", 0, _ => { });

    public void Dispose() => _loop.Dispose();

    private void StartWithoutNode(TimeSpan idleTimeout) =>
        _loop.Start(() => null, new KvDataLoop.Limits(64, 1024, TimeSpan.FromSeconds(5), idleTimeout));

    private async Task<TcpClient> Connect()
    {
        var client = new TcpClient();
        await client.ConnectAsync(_loop.LocalEndPoint);
        return client;
    }

    private sealed class WhichThread : ReceiveActor
    {
        public WhichThread() => Receive<string>(_ => Sender.Tell(Environment.CurrentManagedThreadId));
    }

    [Fact]
    public async Task An_actor_on_the_loops_dispatcher_runs_on_the_loops_thread()
    {
        StartWithoutNode(KvDataLoop.Limits.KestrelKeepAlive);
        var config = _loop.WithDispatchers(ConfigurationFactory.ParseString("akka.loglevel = WARNING"), sendersOnLoop: true);
        using var system = ActorSystem.Create("loop-dispatcher", config);
        var onLoop = system.ActorOf(Props.Create<WhichThread>().WithDispatcher("akka.actor.store-dispatcher"));
        var sender = system.ActorOf(Props.Create<WhichThread>().WithDispatcher("akka.actor.replication-dispatcher"));
        var elsewhere = system.ActorOf(Props.Create<WhichThread>());
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(_loop.ThreadId, await onLoop.Ask<int>("?", Generous));
            Assert.Equal(_loop.ThreadId, await sender.Ask<int>("?", Generous));
            Assert.NotEqual(_loop.ThreadId, await elsewhere.Ask<int>("?", Generous));
        }
        await system.Terminate();
    }

    [Fact]
    public void In_sync_mode_the_senders_stay_off_the_loop()
    {
        var config = _loop.WithDispatchers(Config.Empty, sendersOnLoop: false);
        Assert.True(config.HasPath("akka.actor.store-dispatcher.data-loop"));
        Assert.False(config.HasPath("akka.actor.replication-dispatcher"));
    }

    [Fact]
    public async Task A_connection_kestrel_must_serve_reaches_its_transport_with_the_bytes_already_read()
    {
        StartWithoutNode(KvDataLoop.Limits.KestrelKeepAlive); // no node yet: every connection is Kestrel's
        await using var listener = await _loop.HandOver.BindAsync(new HandOverEndPoint());
        using var client = await Connect();
        var stream = client.GetStream();
        await stream.WriteAsync("GET /status HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());

        using var cts = new CancellationTokenSource(Generous);
        var connection = await listener.AcceptAsync(cts.Token);
        Assert.NotNull(connection);
        await stream.WriteAsync("and what came after"u8.ToArray()); // sent after the hand-over: straight from the socket
        var received = new StringBuilder();
        while (!received.ToString().EndsWith("after"))
        {
            var read = await connection!.Transport.Input.ReadAsync(cts.Token);
            foreach (var segment in read.Buffer) received.Append(Encoding.ASCII.GetString(segment.Span));
            connection.Transport.Input.AdvanceTo(read.Buffer.End);
        }
        Assert.Equal("GET /status HTTP/1.1\r\nHost: x\r\n\r\nand what came after", received.ToString());

        await connection!.Transport.Output.WriteAsync("HTTP/1.1 204 No Content\r\n\r\n"u8.ToArray(), cts.Token);
        var answer = new byte[64];
        var n = await stream.ReadAsync(answer, cts.Token);
        Assert.Equal("HTTP/1.1 204 No Content\r\n\r\n", Encoding.ASCII.GetString(answer, 0, n));
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task Localhost_is_both_loopbacks_on_one_port_as_kestrel_binds_it()
    {
        using var loop = KvDataLoop.Bind("localhost", 0, _ => { });
        loop.Start(() => null, new KvDataLoop.Limits(64, 1024, TimeSpan.FromSeconds(5), KvDataLoop.Limits.KestrelKeepAlive));
        Assert.Equal(System.Net.IPAddress.Loopback, loop.LocalEndPoint.Address);
        using (var v4 = new TcpClient(AddressFamily.InterNetwork)) await v4.ConnectAsync(System.Net.IPAddress.Loopback, loop.LocalEndPoint.Port);
        if (!System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().Any(i =>
                i.GetIPProperties().UnicastAddresses.Any(a => a.Address.Equals(System.Net.IPAddress.IPv6Loopback))))
            return; // a machine without ::1 gets the IPv4 loopback only, as from Kestrel
        using var v6 = new TcpClient(AddressFamily.InterNetworkV6);
        await v6.ConnectAsync(System.Net.IPAddress.IPv6Loopback, loop.LocalEndPoint.Port);
    }

    [Fact]
    public async Task An_idle_connection_is_closed_after_the_idle_timeout()
    {
        StartWithoutNode(TimeSpan.FromMilliseconds(300));
        using var client = await Connect();
        using var cts = new CancellationTokenSource(Generous);
        var read = await client.GetStream().ReadAsync(new byte[16], cts.Token); // 0: the loop closed it
        Assert.Equal(0, read);
    }
}
