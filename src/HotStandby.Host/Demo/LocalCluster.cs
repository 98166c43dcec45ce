using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using HotStandby.Actors;

namespace HotStandby.Host.Demo;

/// <summary>How to start the <c>hotstandby</c> program: the executable and any leading arguments (the dll under <c>dotnet</c>).</summary>
public sealed record HostCommand(string FileName, IReadOnlyList<string> PrefixArgs)
{
    /// <summary>This very program, however it was started.</summary>
    public static HostCommand Current()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var dll = typeof(Program).Assembly.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? new HostCommand(process, [dll]) : new HostCommand(process, []);
    }

    /// <summary>The built <c>hotstandby.dll</c> beside a given assembly (for tests that reference the host project).</summary>
    public static HostCommand BesideAssembly(string directory) => new("dotnet", [Path.Combine(directory, "hotstandby.dll")]);
}

/// <summary>
/// A primary (a, preferred), a standby (b) and a witness (w) as real <c>hotstandby run</c> processes on loopback,
/// each with its own config, data directory and log file under <see cref="Root"/>. Used by the demo, the failover
/// benchmark and the process-level tests.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    public static readonly string[] Ids = ["a", "b", "w"];

    private readonly HostCommand _command;
    private readonly Dictionary<string, (int Akka, int Http)> _ports;
    private readonly Dictionary<string, Process> _processes = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };

    /// <param name="profileConf">HOCON included by every node (e.g. the fast-failover profile), or null for defaults</param>
    /// <param name="extra">more HOCON appended to every node's file</param>
    public LocalCluster(string root, HostCommand command, string? profileConf, string extra = "")
    {
        Root = root;
        _command = command;
        Directory.CreateDirectory(root);
        _ports = LoopbackPorts.ReserveForNodes(Ids);
        foreach (var id in Ids) File.WriteAllText(ConfigPath(id), ConfigFor(id, profileConf, extra));
    }

    public string Root { get; }

    public string ConfigPath(string id) => Path.Combine(Root, $"{id}.conf");

    public string LogPath(string id) => Path.Combine(Root, $"{id}.log");

    public string DataDir(string id) => Path.Combine(Root, $"data-{id}");

    public string HttpUrl(string id) => $"http://127.0.0.1:{_ports[id].Http}";

    public bool IsRunning(string id) => _processes.TryGetValue(id, out var p) && !p.HasExited;

    public int? Pid(string id) => IsRunning(id) ? _processes[id].Id : null;

    private string ConfigFor(string id, string? profileConf, string extra)
    {
        var peers = string.Join(", ", Ids.Where(p => p != id)
            .Select(p => $"{{ node-id = {p}, address = \"akka.tcp://hotstandby@127.0.0.1:{_ports[p].Akka}\" }}"));
        return $$"""
            {{(profileConf is null ? "" : $"include \"{profileConf}\"")}}
            hotstandby {
              node-id = {{id}}
              role = {{(id == "w" ? "witness" : "data")}}
              preferred-primary = {{(id == "a" ? "on" : "off")}}
              peers = [{{peers}}]
              data-dir = "{{DataDir(id)}}"
              http { hostname = "127.0.0.1", port = {{_ports[id].Http}} }
            }
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{_ports[id].Akka}} }
            {{extra}}
            """;
    }

    public void Start(string id)
    {
        if (IsRunning(id)) throw new InvalidOperationException($"{id} is already running");
        var info = new ProcessStartInfo(_command.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in _command.PrefixArgs) info.ArgumentList.Add(arg);
        foreach (var arg in new[] { "run", "--config", ConfigPath(id) }) info.ArgumentList.Add(arg);
        var process = new Process { StartInfo = info };
        var log = new StreamWriter(LogPath(id), append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Exited += (_, _) => { lock (log) log.Flush(); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes[id] = process;
    }

    /// <summary>SIGKILL: no hand-over, no flush, as a crash.</summary>
    public void Kill(string id)
    {
        if (!_processes.TryGetValue(id, out var process)) return;
        process.Kill();
        process.WaitForExit(10_000);
    }

    /// <summary>SIGTERM and wait for a graceful exit; returns the exit code.</summary>
    public async Task<int> Stop(string id, TimeSpan timeout)
    {
        if (!_processes.TryGetValue(id, out var process) || process.HasExited) return process?.ExitCode ?? 0;
        _ = SendSigterm(process.Id);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        return process.ExitCode;
    }

    /// <summary>The node's /status document, or null when it does not answer.</summary>
    public async Task<JsonElement?> Status(string id)
    {
        try
        {
            var body = await _http.GetStringAsync($"{HttpUrl(id)}/status");
            return JsonDocument.Parse(body).RootElement;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    public async Task<string?> Role(string id) => (await Status(id))?.GetProperty("role").GetString();

    /// <summary>The id of the node that reports <c>primary</c> and may serve writes, if exactly one does.</summary>
    public async Task<string?> ServingPrimary()
    {
        var serving = new List<string>();
        foreach (var id in Ids.Where(IsRunning))
            if (await Status(id) is { } s && s.GetProperty("canServeWrites").GetBoolean()) serving.Add(id);
        return serving.Count == 1 ? serving[0] : null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _processes.Keys.ToList().Where(IsRunning))
            Kill(id);
        _http.Dispose();
        await Task.CompletedTask;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private static int SendSigterm(int pid) => SendSignal(pid, 15);
}
