using System.Diagnostics;

namespace HotStandby.Chaos.Network;

/// <summary>Runs a system tool (ip, iptables, tc) and fails with its own words when it fails.</summary>
internal static class Command
{
    public static void Run(string file, params string[] args)
    {
        var (code, output) = TryRun(file, args);
        if (code != 0)
            throw new InvalidOperationException($"`{file} {string.Join(' ', args)}` failed with exit {code}: {output.Trim()}");
    }

    public static (int ExitCode, string Output) TryRun(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(info)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEnd();
            if (!p.WaitForExit(30_000))
            {
                p.Kill();
                return (-1, $"timed out after 30 s; {stderr}");
            }
            return (p.ExitCode, stdout.Result + stderr);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{file}: {e.Message}");
        }
    }
}
