using System.Diagnostics;
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

    public static string TempDir(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
