using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace HotStandby.Chaos.Workload;

/// <summary>
/// Writes unique keys (<c>w{id}-{n}</c>, value <c>w{id}:{n}:…</c>) one after another as a well-behaved client: follows
/// 307 to the primary, retries 503 and cut connections (trying the other nodes) until its deadline, and records every
/// write with its outcome. Acknowledged keys are offered to the readers.
/// </summary>
internal sealed class Writer(int id, IReadOnlyList<string> nodeUrls, HttpClient http, RunClock clock,
    ConcurrentQueue<OpRecord> history, AckedKeys acked, TimeSpan deadline, TimeSpan pause)
{
    public async Task Run(CancellationToken stop)
    {
        var target = nodeUrls[0];
        var rotate = 0;
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var key = $"w{id}-{n}";
            var value = $"w{id}:{n}:{new string('x', 80)}";
            var start = clock.NowMs;
            var attempts = 0;
            var last = (Status: 0, Node: target, Error: (string?)"not tried");
            OpRecord? done = null;
            while (done is null && clock.NowMs - start < deadline.TotalMilliseconds)
            {
                attempts++;
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Put, $"{target}/kv/{key}") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(value)) };
                    using var response = await http.SendAsync(request, CancellationToken.None);
                    if (response.StatusCode == HttpStatusCode.TemporaryRedirect && response.Headers.Location is { } location)
                    {
                        target = location.GetLeftPart(UriPartial.Authority);
                        continue;
                    }
                    var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                    last = ((int)response.StatusCode, target, body);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        using var doc = JsonDocument.Parse(body);
                        done = new OpRecord(OpKind.Write, id, key, value, start, clock.NowMs, Outcome.Ok, NodeOf(target),
                            doc.RootElement.GetProperty("epoch").GetInt64(), doc.RootElement.GetProperty("index").GetInt64(), 200, attempts);
                        break;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    last = (0, target, e.Message);
                    target = nodeUrls[rotate++ % nodeUrls.Count];
                }
                await Task.Delay(20, CancellationToken.None);
            }
            done ??= new OpRecord(OpKind.Write, id, key, value, start, clock.NowMs, Outcome.Unknown, NodeOf(last.Node), 0, 0,
                last.Status, attempts, Error: Trim(last.Error));
            history.Enqueue(done);
            if (done.Outcome == Outcome.Ok) acked.Add(done);
            try { await Task.Delay(pause, stop); } catch (TaskCanceledException) { }
        }
    }

    private string NodeOf(string url) => NodeNames.Of(nodeUrls, url);

    private static string? Trim(string? s) => s is null || s.Length <= 200 ? s : s[..200];
}

/// <summary>Maps a node's base URL back to its id (the urls are given in the order a, b, w).</summary>
internal static class NodeNames
{
    public static string Of(IReadOnlyList<string> urls, string url)
    {
        for (var i = 0; i < urls.Count; i++)
            if (string.Equals(urls[i].TrimEnd('/'), url.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)) return Faults.FaultPlanner.AllNodes[i];
        return url;
    }
}

/// <summary>The most recent acknowledged writes, for readers to look up (a bounded ring).</summary>
internal sealed class AckedKeys
{
    private readonly OpRecord?[] _ring = new OpRecord?[4096];
    private long _count;

    public void Add(OpRecord write)
    {
        var n = Interlocked.Increment(ref _count);
        Volatile.Write(ref _ring[(n - 1) % _ring.Length], write);
    }

    public OpRecord? Pick(Random random)
    {
        var n = Interlocked.Read(ref _count);
        if (n == 0) return null;
        var span = (int)Math.Min(n, _ring.Length);
        return Volatile.Read(ref _ring[(n - 1 - random.Next(span)) % _ring.Length]);
    }
}
