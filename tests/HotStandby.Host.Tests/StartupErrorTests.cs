using System.Net;
using System.Net.Sockets;
using Xunit;

namespace HotStandby.Host.Tests;

/// <summary>A node that cannot take its ports says which key and port, in one line, and exits 1.</summary>
public sealed class StartupErrorTests : IDisposable
{
    private readonly string _dir = HostProcess.TempDir("hs-startup");
    private readonly TcpListener _occupied = new(IPAddress.Loopback, 0);

    public StartupErrorTests() => _occupied.Start();

    private int OccupiedPort => ((IPEndPoint)_occupied.LocalEndpoint).Port;

    public void Dispose()
    {
        _occupied.Stop();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string Config() => HostProcess.LoneNodeConfig(_dir);

    [Fact]
    public async Task Occupied_http_port_is_named()
    {
        var (exit, _, stderr) = await HostProcess.RunToExit(TimeSpan.FromSeconds(60), "run", "--config", Config(),
            "--set", $"hotstandby.http.port={OccupiedPort}", "--set", "akka.remote.dot-netty.tcp.port=1");
        Assert.Equal(1, exit);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"hotstandby.http.port", stderr);
        Assert.Contains($"{OccupiedPort}", stderr);
    }

    [Fact]
    public async Task Corrupt_log_segment_refuses_to_start_with_its_path_and_offset()
    {
        var log = Path.Combine(_dir, "data", "log");
        Directory.CreateDirectory(log);
        var segment = Path.Combine(log, "00000000000000000001.seg");
        // A valid header, a record whose checksum does not match, and a record after it: corruption, not a torn tail.
        var bytes = new List<byte>("HSLOG001"u8.ToArray());
        for (var i = 0; i < 2; i++)
        {
            bytes.AddRange(BitConverter.GetBytes(4));
            bytes.AddRange(BitConverter.GetBytes(0xDEADBEEFu));
            bytes.AddRange(new byte[4]);
        }
        File.WriteAllBytes(segment, bytes.ToArray());

        var (exit, _, stderr) = await HostProcess.RunToExit(TimeSpan.FromSeconds(60), "run", "--config", Config(),
            "--set", "hotstandby.http.port=0", "--set", $"akka.remote.dot-netty.tcp.port={OccupiedPort}");
        Assert.Equal(3, exit); // refused before any port is bound
        Assert.Contains(segment, stderr);
        Assert.Contains("offset 8", stderr);
        Assert.Equal(bytes.Count, new FileInfo(segment).Length); // left as found
    }

    [Fact]
    public async Task Occupied_remoting_port_is_named()
    {
        var (exit, _, stderr) = await HostProcess.RunToExit(TimeSpan.FromSeconds(60), "run", "--config", Config(),
            "--set", "hotstandby.http.port=0", "--set", $"akka.remote.dot-netty.tcp.port={OccupiedPort}");
        Assert.Equal(1, exit);
        Assert.Contains($"port {OccupiedPort} (akka.remote.dot-netty.tcp.port)", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
