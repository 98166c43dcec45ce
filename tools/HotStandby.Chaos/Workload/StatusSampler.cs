using System.Collections.Concurrent;
using System.Text.Json;

namespace HotStandby.Chaos.Workload;

/// <summary>
/// Polls every node's /status (every <c>interval</c>) and keeps the samples: the checker uses each data node's log
/// positions to find entries that later vanished, and the readers use the node that serves writes.
/// </summary>
internal sealed class StatusSampler(IReadOnlyList<string> nodeUrls, HttpClient http, RunClock clock, TimeSpan interval)
{
    private readonly ConcurrentQueue<StatusSample> _samples = new();
    private volatile string? _servingPrimary;
    private readonly ConcurrentDictionary<string, StatusSample> _latest = new();

    public IReadOnlyCollection<StatusSample> Samples => _samples;

    public string? ServingPrimary => _servingPrimary;

    public StatusSample? Latest(string node) => _latest.GetValueOrDefault(node);

    public async Task Run(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var polls = nodeUrls.Select((url, i) => Poll(Faults.FaultPlanner.AllNodes[i], url)).ToArray();
            var results = await Task.WhenAll(polls);
            var serving = results.Where(s => s is { CanServeWrites: true }).Select(s => s!.Node).ToList();
            if (serving.Count == 1) _servingPrimary = serving[0];
            try { await Task.Delay(interval, stop); } catch (TaskCanceledException) { }
        }
    }

    private async Task<StatusSample?> Poll(string node, string url)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            var body = await http.GetStringAsync($"{url}/status", cts.Token);
            using var doc = JsonDocument.Parse(body);
            var r = doc.RootElement;
            var lastLog = r.GetProperty("lastLog");
            var sample = new StatusSample(clock.NowMs, node, r.GetProperty("role").GetString() ?? "", r.GetProperty("epoch").GetInt64(),
                lastLog.GetProperty("epoch").GetInt64(), lastLog.GetProperty("index").GetInt64(),
                r.GetProperty("commitIndex").GetInt64(), r.GetProperty("canServeWrites").GetBoolean());
            _samples.Enqueue(sample);
            _latest[node] = sample;
            return sample;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException or JsonException or IOException or KeyNotFoundException)
        {
            return null;
        }
    }
}
