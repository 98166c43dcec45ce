using System.Collections.Concurrent;
using System.Text;

namespace HotStandby.Chaos.Workload;

/// <summary>
/// Reads keys that were acknowledged earlier from whichever node the sampler last saw serving as primary, one request
/// per read, recording what came back and whether the primary served it under its lease.
/// </summary>
internal sealed class Reader(int id, IReadOnlyList<string> nodeUrls, HttpClient http, RunClock clock,
    ConcurrentQueue<OpRecord> history, AckedKeys acked, StatusSampler sampler, TimeSpan pause, int seed)
{
    public async Task Run(CancellationToken stop)
    {
        var random = new Random(seed);
        while (!stop.IsCancellationRequested)
        {
            var write = acked.Pick(random);
            var primary = sampler.ServingPrimary;
            if (write is not null && primary is not null)
            {
                var node = Array.IndexOf(Faults.FaultPlanner.AllNodes, primary);
                var url = nodeUrls[node];
                var start = clock.NowMs;
                try
                {
                    using var response = await http.GetAsync($"{url}/kv/{write.Key}", CancellationToken.None);
                    var status = (int)response.StatusCode;
                    var body = await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                    var applied = Header(response, "X-HotStandby-Applied-Index");
                    var epoch = Header(response, "X-HotStandby-Epoch");
                    var byPrimary = response.Headers.TryGetValues("X-HotStandby-Served-By", out var v) && v.First() == "primary";
                    var outcome = status switch { 200 => Outcome.Ok, 404 => Outcome.NotFound, _ => Outcome.Unknown };
                    history.Enqueue(new OpRecord(OpKind.Read, id, write.Key, status == 200 ? Encoding.UTF8.GetString(body) : "",
                        start, clock.NowMs, outcome, primary, epoch, applied, status, 1, byPrimary));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    history.Enqueue(new OpRecord(OpKind.Read, id, write.Key, "", start, clock.NowMs, Outcome.Unknown, primary, 0, 0, 0, 1, Error: e.Message));
                }
            }
            try { await Task.Delay(pause, stop); } catch (TaskCanceledException) { }
        }
    }

    private static long Header(HttpResponseMessage r, string name) =>
        r.Headers.TryGetValues(name, out var v) && long.TryParse(v.First(), out var x) ? x : 0;
}
