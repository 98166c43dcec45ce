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
