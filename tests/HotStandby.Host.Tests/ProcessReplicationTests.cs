using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text;
using HotStandby.Host.Client;
using HotStandby.Host.Demo;
using Xunit;

namespace HotStandby.Host.Tests;

/// <summary>Three real hosts, clients writing over HTTP, kill -9 of the primary mid-stream: no acknowledged write is lost.</summary>
[Collection("processes")]
public sealed class ProcessReplicationTests() : ClusterSpec("hs-repl",
    "hotstandby.failback.mode = off\nhotstandby.replication.mode = sync\nhotstandby.kv.max-value-bytes = 1KiB")
{
    [Fact]
    public async Task Kv_api_redirects_to_the_primary_and_refuses_bad_input_without_writing()
    {
        var primary = await AwaitServingPrimary();
        var standby = primary == "a" ? "b" : "a";
        var p = Cluster.HttpUrl(primary);
        var sUrl = Cluster.HttpUrl(standby);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        var put = await http.PutAsync($"{p}/kv/greeting", new StringContent("hello"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using (var doc = JsonDocument.Parse(await put.Content.ReadAsStringAsync()))
            Assert.True(doc.RootElement.GetProperty("index").GetInt64() > 0);
        Assert.Empty(put.Headers.Server); // the server software is not advertised

        var redirect = await http.PutAsync($"{sUrl}/kv/other%20key?x=1", new StringContent("v"));
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
        Assert.Equal($"{p}/kv/other%20key?x=1", redirect.Headers.Location!.AbsoluteUri);

        await AwaitAssertAsync(async () =>
        {
            var read = await http.GetAsync($"{sUrl}/kv/greeting");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal("hello", await read.Content.ReadAsStringAsync());
            Assert.True(long.Parse(read.Headers.GetValues("X-HotStandby-Applied-Index").Single()) > 0);
            Assert.Equal("standby", read.Headers.GetValues("X-HotStandby-Served-By").Single());
            var fromPrimary = await http.GetAsync($"{p}/kv/greeting");
            Assert.Equal("primary", fromPrimary.Headers.GetValues("X-HotStandby-Served-By").Single());
            Assert.True(long.Parse(fromPrimary.Headers.GetValues("X-HotStandby-Epoch").Single()) > 0);
        }, Generous, TimeSpan.FromMilliseconds(50));

        async Task AssertError(HttpResponseMessage r, HttpStatusCode status, string text)
        {
            Assert.Equal(status, r.StatusCode);
            Assert.Contains(text, JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        }
        await AssertError(await http.PutAsync($"{p}/kv/big", new ByteArrayContent(new byte[1025])), HttpStatusCode.RequestEntityTooLarge, "max-value-bytes");
        await AssertError(await http.PutAsync($"{p}/kv/", new StringContent("v")), HttpStatusCode.BadRequest, "empty key");
        await AssertError(await http.PutAsync($"{p}/kv/{new string('k', 1100)}", new StringContent("v")), HttpStatusCode.BadRequest, "max-key-bytes");
        await AssertError(await http.PatchAsync($"{p}/kv/greeting", new StringContent("v")), HttpStatusCode.MethodNotAllowed, "PATCH");
        await AssertError(await http.DeleteAsync($"{p}/kv/never-written"), HttpStatusCode.NotFound, "no key");
        await AssertError(await http.GetAsync($"{p}/kv/big"), HttpStatusCode.NotFound, "no key"); // nothing written on a 4xx

        // A body without Content-Length (chunked) is read to its end and held to the same limit.
        var chunked = new StreamContent(new MemoryStream("streamed"u8.ToArray()));
        chunked.Headers.ContentLength = null;
        var streamedPut = new HttpRequestMessage(HttpMethod.Put, $"{p}/kv/streamed") { Content = chunked };
        streamedPut.Headers.TransferEncodingChunked = true;
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(streamedPut)).StatusCode);
        Assert.Equal("streamed", await (await http.GetAsync($"{p}/KV/streamed")).Content.ReadAsStringAsync()); // paths match as routes do: any case
        var tooLong = new HttpRequestMessage(HttpMethod.Put, $"{p}/kv/streamed-big") { Content = new StreamContent(new MemoryStream(new byte[1025])) };
        tooLong.Headers.TransferEncodingChunked = true;
        await AssertError(await http.SendAsync(tooLong), HttpStatusCode.RequestEntityTooLarge, "max-value-bytes");
        await AssertError(await http.GetAsync($"{p}/kvx/greeting"), HttpStatusCode.NotFound, "no route");

        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync($"{p}/kv/greeting")).StatusCode);
        await AssertError(await http.GetAsync($"{p}/kv/greeting"), HttpStatusCode.NotFound, "no key");
    }

    [Fact]
    public async Task Every_acknowledged_write_is_on_the_new_primary_after_kill_9_during_the_writes()
    {
        var primary = await AwaitServingPrimary();
        var standby = primary == "a" ? "b" : "a";
        var urls = LocalCluster.Ids.Select(Cluster.HttpUrl).ToList();
        var acked = new ConcurrentDictionary<string, KvWriteResult>();
        var killed = false;
        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        async Task Client(int id)
        {
            using var client = new KvClient(urls, TimeSpan.FromSeconds(5));
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var key = $"c{id}-{n}";
                var result = await client.Put(key, Encoding.UTF8.GetBytes($"writer {id} #{n}"), TimeSpan.FromSeconds(20));
                if (result.Acked) acked[key] = result;
                // after the kill, stop once the new primary has acknowledged a few writes of this client
                if (Volatile.Read(ref killed) && result.Acked && result.Node == Cluster.HttpUrl(standby) && n % 20 == 0) return;
            }
        }

        var clients = Enumerable.Range(0, 6).Select(i => Task.Run(() => Client(i))).ToList();
        await AwaitConditionAsync(() => Task.FromResult(acked.Count >= 300), Generous);
        Cluster.Kill(primary);
        Volatile.Write(ref killed, true);
        await Task.WhenAll(clients).WaitAsync(Generous);

        var newPrimaryUrl = Cluster.HttpUrl(standby);
        Assert.Contains(acked.Values, r => r.Node == newPrimaryUrl);
        using var reader = new KvClient([newPrimaryUrl], TimeSpan.FromSeconds(5));
        var missing = new List<string>();
        foreach (var (key, result) in acked)
        {
            var (status, value, _) = await reader.Get(newPrimaryUrl, key);
            var id = key.Split('-');
            if (status != 200 || Encoding.UTF8.GetString(value!) != $"writer {id[0][1..]} #{id[1]}") missing.Add($"{key}@{result.Epoch}:{result.Index}");
        }
        Assert.True(missing.Count == 0, $"{missing.Count} of {acked.Count} acknowledged writes missing: {string.Join(", ", missing.Take(10))}");
    }
}
