using System.Diagnostics;
using HotStandby.Actors;
using HotStandby.Host.Demo;

namespace HotStandby.Host.Tests;

/// <summary>Runs the built <c>hotstandby</c> program (copied beside the tests) as a real process.</summary>
internal static class HostProcess
{
    public static HostCommand Command => HostCommand.BesideAssembly(AppContext.BaseDirectory);

    public static string FastProfile => Path.Combine(AppContext.BaseDirectory, "hocon", "fast-failover.conf");

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExit(TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo(Command.FileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in Command.PrefixArgs.Concat(args)) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"hotstandby {string.Join(' ', args)} did not exit within {timeout}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Writes DIR/node.conf for node a alone (its peers b and w need not run), with <paramref name="extra"/> HOCON.</summary>
    public static string LoneNodeConfig(string dir, string extra = "")
    {
        var path = Path.Combine(dir, "node.conf");
        File.WriteAllText(path, $$"""
            hotstandby {
              node-id = a
              data-dir = "{{Path.Combine(dir, "data")}}"
              peers = [{ node-id = b, address = "akka.tcp://hotstandby@127.0.0.1:4072" }, { node-id = w, address = "akka.tcp://hotstandby@127.0.0.1:4073" }]
            }
            {{extra}}
            """);
        return path;
    }

    /// <summary>
    /// Starts node a alone in a directory of its own (its peers need not exist), reads its output up to the first line
    /// <paramref name="last"/> accepts and returns the lines so far; the node is then killed and the directory removed.
    /// </summary>
    public static async Task<List<string>> StartupLines(Func<string, bool> last, Action<ProcessStartInfo>? environment = null,
        params string[] extraArgs)
    {
        var dir = TempDir("hs-lone");
        var ports = LoopbackPorts.Reserve(2);
        var config = LoneNodeConfig(dir, $"hotstandby.http.port = {ports[0]}\nakka.remote.dot-netty.tcp.port = {ports[1]}");
        var info = new ProcessStartInfo(Command.FileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in Command.PrefixArgs.Concat(["run", "--config", config]).Concat(extraArgs)) info.ArgumentList.Add(a);
        environment?.Invoke(info);
        using var process = Process.Start(info)!;
        var lines = new List<string>();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
            {
                lines.Add(line);
                if (last(line)) return lines;
            }
            await process.WaitForExitAsync(cts.Token);
            throw new InvalidOperationException($"the node exited ({process.ExitCode}) before the expected line: {await process.StandardError.ReadToEndAsync()}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    public static string TempDir(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
