using Xunit;

namespace HotStandby.Host.Tests;

/// <summary><c>hotstandby run</c> with bad configuration: exit code 2 and one line naming the file, key and problem.</summary>
public sealed class ConfigErrorTests : IDisposable
{
    private readonly string _dir = HostProcess.TempDir("hs-config");

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string ValidNode = """
        hotstandby {
          node-id = a
          preferred-primary = on
          peers = [
            { node-id = b, address = "akka.tcp://hotstandby@127.0.0.1:4072" }
            { node-id = w, address = "akka.tcp://hotstandby@127.0.0.1:4073" }
          ]
        }
        """;

    public static TheoryData<string, string, string[]> Cases => new()
    {
        { "missing", "", ["file not found"] },
        { "syntax", "hotstandby { peers = [ { node-id = b } ", ["HOCON syntax error"] },
        { "role", ValidNode + "\nhotstandby.role = arbiter", ["hotstandby.role", "'arbiter' is not one of data, witness"] },
        { "negative", ValidNode + "\nhotstandby.heartbeat.interval = -1s", ["hotstandby.heartbeat.interval", "negative"] },
        { "duplicate", ValidNode.Replace("node-id = w", "node-id = b"), ["hotstandby.peers", "duplicate node id 'b'"] },
        { "lease", ValidNode + "\nhotstandby.failover.lease = 2s", ["hotstandby.failover.lease", "90 %"] },
        { "self", ValidNode + "\nakka.remote.dot-netty.tcp.port = 4072", ["hotstandby.peers", "this node's own address"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_configuration_exits_2_with_one_line(string name, string content, string[] expected)
    {
        var path = name == "missing" ? Path.Combine(_dir, "missing.conf") : Write(name + ".conf", content);
        var (exit, _, stderr) = await HostProcess.RunToExit(TimeSpan.FromSeconds(60), "run", "--config", path);
        Assert.Equal(2, exit);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(path, lines[0]);
        foreach (var part in expected) Assert.Contains(part, lines[0]);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task Set_overrides_are_applied_and_validated_like_the_file()
    {
        var path = Write("node.conf", ValidNode);
        var (exit, _, stderr) = await HostProcess.RunToExit(TimeSpan.FromSeconds(60), "run", "--config", path, "--set", "hotstandby.failback.mode=sometimes");
        Assert.Equal(2, exit);
        Assert.Contains("hotstandby.failback.mode: 'sometimes' is not one of auto, manual, off", stderr);
    }

    [Fact]
    public async Task Corrupt_node_state_refuses_to_start_with_path_and_offset()
    {
        var data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "node-state"), "garbage that is long enough to be checked");
        var path = Write("node.conf", ValidNode + $"\nhotstandby.data-dir = \"{data}\"\nhotstandby.http.port = 0\nakka.remote.dot-netty.tcp.port = 1");
        var (exit, _, stderr) = await HostProcess.RunToExit(TimeSpan.FromSeconds(60), "run", "--config", path);
        Assert.Equal(3, exit);
        Assert.Contains(Path.Combine(data, "node-state"), stderr);
        Assert.Contains("offset 0", stderr);
    }
}
