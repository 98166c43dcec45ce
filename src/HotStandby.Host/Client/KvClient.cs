using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace HotStandby.Host.Client;

/// <summary>The outcome of one client write: acknowledged at (epoch, index), or not, with the last answer seen.</summary>
public sealed record KvWriteResult(bool Acked, long Epoch, long Index, string Node, int Status, string? Error)
{
    /// <summary>Requests sent for this write, redirects included.</summary>
    public int Attempts { get; init; }
}

/// <summary>
/// A client of a pair's <c>/kv</c> API that behaves as operators' clients should: it follows <c>307</c> to the primary,
/// retries on <c>503</c> and on refused connections (trying the other nodes), and gives up at a deadline.
/// </summary>
public sealed class KvClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly IReadOnlyList<string> _nodes;
    private string _target;

    public KvClient(IReadOnlyList<string> nodeUrls, TimeSpan requestTimeout)
    {
        _nodes = nodeUrls;
        _target = nodeUrls[0];
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        _http = new HttpClient(handler) { Timeout = requestTimeout };
    }

    public Task<KvWriteResult> Put(string key, byte[] value, TimeSpan deadline) =>
        Write(HttpMethod.Put, key, value, deadline);

    public Task<KvWriteResult> Delete(string key, TimeSpan deadline) => Write(HttpMethod.Delete, key, null, deadline);

    public async Task<(int Status, byte[]? Value, long? AppliedIndex)> Get(string node, string key)
    {
        using var response = await _http.GetAsync($"{node}/kv/{Uri.EscapeDataString(key)}");
        long? applied = response.Headers.TryGetValues("X-HotStandby-Applied-Index", out var v) && long.TryParse(v.First(), out var a) ? a : null;
        return ((int)response.StatusCode, response.IsSuccessStatusCode ? await response.Content.ReadAsByteArrayAsync() : null, applied);
    }

    private async Task<KvWriteResult> Write(HttpMethod method, string key, byte[]? value, TimeSpan deadline)
    {
        var until = Stopwatch.GetTimestamp() + (long)(deadline.TotalSeconds * Stopwatch.Frequency);
        KvWriteResult last = new(false, 0, 0, _target, 0, "not tried");
        var next = 0;
        var attempts = 0;
        while (Stopwatch.GetTimestamp() < until)
        {
            var target = _target;
            attempts++;
            try
            {
                using var request = new HttpRequestMessage(method, $"{target}/kv/{Uri.EscapeDataString(key)}");
                if (value is not null) request.Content = new ByteArrayContent(value);
                using var response = await _http.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.TemporaryRedirect && response.Headers.Location is { } location)
                {
                    _target = location.GetLeftPart(UriPartial.Authority);
                    continue;
                }
                last = await ToResult(response, target) with { Attempts = attempts };
                if (last.Acked || (int)response.StatusCode is >= 400 and < 500) return last;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = new KvWriteResult(false, 0, 0, target, 0, e.Message) { Attempts = attempts }; // the outcome is unknown: the write may have landed
                _target = _nodes[next++ % _nodes.Count];
            }
            await Task.Delay(20);
        }
        return last;
    }

    private static async Task<KvWriteResult> ToResult(HttpResponseMessage response, string node)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            using var doc = JsonDocument.Parse(body);
            return new KvWriteResult(true, doc.RootElement.GetProperty("epoch").GetInt64(), doc.RootElement.GetProperty("index").GetInt64(), node, 200, null);
        }
        return new KvWriteResult(false, 0, 0, node, (int)response.StatusCode, body);
    }

    public void Dispose() => _http.Dispose();
}
