using System.Diagnostics;
using System.Runtime.InteropServices;
using HotStandby.Chaos.Faults;
using HotStandby.Chaos.Network;

namespace HotStandby.Chaos;

/// <summary>
/// a (preferred), b and the witness w as real <c>hotstandby run</c> processes, each started inside its node's network
/// and appending its console output to <c>{node}.log</c> in the run directory.
/// </summary>
internal sealed class ChaosCluster : IDisposable
{
    private readonly INetwork _network;
    private readonly string _hostDll;
    private readonly Dictionary<string, Process> _processes = new();
    private readonly Dictionary<string, StreamWriter> _logs = new();
    private bool _closed;

    public ChaosCluster(string root, INetwork network, string hostDll, string profileConf, string extraConfig)
    {
        Root = root;
        _network = network;
        _hostDll = hostDll;
        foreach (var id in FaultPlanner.AllNodes)
        {
            File.WriteAllText(ConfigPath(id), ConfigFor(id, profileConf, extraConfig));
            _logs[id] = new StreamWriter(Path.Combine(root, $"{id}.log"), append: true) { AutoFlush = true };
        }
    }

    public string Root { get; }

    public string ConfigPath(string id) => Path.Combine(Root, $"{id}.conf");

    public string DataDir(string id) => Path.Combine(Root, $"data-{id}");

    public string HttpUrl(string id) => $"http://{_network.Host(id)}:{_network.HttpPort(id)}";

    public bool IsRunning(string id) => _processes.TryGetValue(id, out var p) && !p.HasExited;

    private string ConfigFor(string id, string profileConf, string extra)
    {
        var peers = string.Join(", ", FaultPlanner.AllNodes.Where(p => p != id).Select(p =>
            $"{{ node-id = {p}, address = \"akka.tcp://hotstandby@{_network.Host(p)}:{_network.AkkaPort(p)}\" }}"));
        return $$"""
            include "{{profileConf}}"
            hotstandby {
              node-id = {{id}}
              role = {{(id == FaultPlanner.Witness ? "witness" : "data")}}
              preferred-primary = {{(id == "a" ? "on" : "off")}}
              peers = [{{peers}}]
              data-dir = "{{DataDir(id)}}"
              http { hostname = "{{_network.Host(id)}}", port = {{_network.HttpPort(id)}} }
            }
            akka.remote.dot-netty.tcp { hostname = "{{_network.Host(id)}}", port = {{_network.AkkaPort(id)}} }
            {{extra}}
            """;
    }

    public void Start(string id)
    {
        if (IsRunning(id)) return;
        var (file, prefix) = _network.Launcher(id);
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in prefix.Concat([_hostDll, "run", "--config", ConfigPath(id)])) info.ArgumentList.Add(a);
        var log = _logs[id];
        var process = new Process { StartInfo = info };
        // Output can still arrive after Dispose closed the log (a killed process's last lines): drop it, never throw
        // from the event handler (that would take the whole test host down).
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes[id] = process;
    }

    /// <summary>A line in the node's own log, so a reader sees the fault where it struck.</summary>
    public void Mark(string id, string text) => Append(_logs[id], $"===== chaos {DateTime.UtcNow:HH:mm:ss.fff}: {text} =====");

    private void Append(StreamWriter log, string? line)
    {
        if (line is null) return;
        lock (log)
            if (!_closed) log.WriteLine(line);
    }

    public void Kill(string id)
    {
        if (!_processes.TryGetValue(id, out var p) || p.HasExited) return;
        Signal(p.Id, SigKill);
        p.WaitForExit(10_000);
    }

    public void Pause(string id)
    {
        if (IsRunning(id)) Signal(_processes[id].Id, SigStop);
    }

    public void Resume(string id)
    {
        if (IsRunning(id)) Signal(_processes[id].Id, SigCont);
    }

    public void Dispose()
    {
        foreach (var id in _processes.Keys.ToList())
        {
            Resume(id);
            Kill(id);
        }
        foreach (var log in _logs.Values)
            lock (log)
            {
                _closed = true;
                log.Dispose();
            }
    }

    private const int SigKill = 9, SigCont = 18, SigStop = 19;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int pid, int signal);
}
