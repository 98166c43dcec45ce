using System.Text.Json;
using Xunit;

namespace HotStandby.Host.Tests;

/// <summary>
/// The data loop on real hosts: <c>/kv</c> on the loop and everything else on Kestrel, on one port and one connection,
/// answers in request order, and the same answers from both for the same request.
/// </summary>
[Collection("processes")]
public sealed class DataLoopProcessTests() : ClusterSpec("hs-loop", "hotstandby.failback.mode = off\nhotstandby.replication.mode = async")
{
    private static long Index(RawHttpConnection.Answer a)
    {
        Assert.True(a.Status == 200, $"expected 200, got {a.Status}: {a.Body}");
        using var doc = JsonDocument.Parse(a.Body);
        return doc.RootElement.GetProperty("index").GetInt64();
    }

    [Fact]
    public async Task One_connection_carries_loop_and_kestrel_requests_answered_in_order()
    {
        var primary = Cluster.HttpUrl(await AwaitServingPrimary());
        using var c = await RawHttpConnection.Open(primary);
        // Pipelined in one send: two writes for the loop, a status read that hands the connection to Kestrel, and a
        // write and a read that Kestrel then serves on the same connection.
        await c.Send(RawHttpConnection.Put("/kv/one", "1") + RawHttpConnection.Put("/kv/two", "22") + RawHttpConnection.Get("/status")
                     + RawHttpConnection.Put("/kv/three", "333") + RawHttpConnection.Get("/kv/two"));
        var one = Index(await c.Read());
        var two = Index(await c.Read());
        var status = await c.Read();
        var three = Index(await c.Read());
        var read = await c.Read();
        Assert.Equal(two, one + 1);
        Assert.Equal(200, status.Status);
        Assert.Contains("\"role\"", status.Body);
        Assert.Equal(three, two + 1);
        Assert.Equal((200, "22"), (read.Status, read.Body));
    }

    [Fact]
    public async Task Many_pipelined_writes_are_answered_in_request_order()
    {
        var primary = Cluster.HttpUrl(await AwaitServingPrimary());
        using var c = await RawHttpConnection.Open(primary);
        const int writes = 600; // more than a connection may have in flight: the loop pauses reading it, then resumes
        await c.Send(string.Concat(Enumerable.Range(0, writes).Select(i => RawHttpConnection.Put($"/kv/p{i}", $"v{i}"))));
        var indexes = new List<long>();
        for (var i = 0; i < writes; i++) indexes.Add(Index(await c.Read()));
        Assert.Equal(Enumerable.Range(0, writes).Select(i => indexes[0] + i), indexes);
        await c.Send(RawHttpConnection.Get($"/kv/p{writes - 1}"));
        Assert.Equal($"v{writes - 1}", (await c.Read()).Body);

        // A read pipelined behind writes sees them: it waits for their answers before it goes to the store.
        await c.Send(RawHttpConnection.Put("/kv/seq", "v1") + RawHttpConnection.Put("/kv/seq", "v2") + RawHttpConnection.Get("/kv/seq")
                     + RawHttpConnection.Delete("/kv/seq") + RawHttpConnection.Get("/kv/seq"));
        Index(await c.Read());
        Index(await c.Read());
        var read = await c.Read();
        Assert.Equal((200, "v2"), (read.Status, read.Body));
        Index(await c.Read());
        Assert.Equal(404, (await c.Read()).Status);
    }

    [Fact]
    public async Task The_loop_and_kestrel_give_the_same_answers()
    {
        var primaryId = await AwaitServingPrimary();
        var primary = Cluster.HttpUrl(primaryId);
        var standby = Cluster.HttpUrl(primaryId == "a" ? "b" : "a");
        using var c = await RawHttpConnection.Open(primary);
        await c.Send(RawHttpConnection.Put("/kv/same", "value"));
        Index(await c.Read());
        // "/kv/same" is the loop's; "/kv/%73ame" is the same key, percent-encoded, which the loop leaves to Kestrel.
        foreach (var (url, plain, encoded) in new[]
                 {
                     (primary, RawHttpConnection.Get("/kv/same"), RawHttpConnection.Get("/kv/%73ame")),
                     (primary, RawHttpConnection.Get("/kv/none"), RawHttpConnection.Get("/kv/%6Eone")),
                     (primary, RawHttpConnection.Delete("/kv/none"), RawHttpConnection.Delete("/kv/%6Eone")),
                     (standby, RawHttpConnection.Put("/kv/same", "v"), RawHttpConnection.Put("/kv/%73ame", "v")),
                 })
        {
            RawHttpConnection.Answer byLoop, byKestrel;
            using (var loop = await RawHttpConnection.Open(url))
            {
                await loop.Send(plain);
                byLoop = await loop.Read();
            }
            using (var kestrel = await RawHttpConnection.Open(url))
            {
                await kestrel.Send(encoded);
                byKestrel = await kestrel.Read();
            }
            Assert.Equal(byKestrel.Status, byLoop.Status);
            Assert.Equal(byKestrel.Body, byLoop.Body);
            foreach (var header in new[] { "Content-Type", "Retry-After", "X-HotStandby-Served-By", "X-HotStandby-Epoch" })
                Assert.Equal(byKestrel.Headers.GetValueOrDefault(header), byLoop.Headers.GetValueOrDefault(header));
            if (byLoop.Status == 307)
                Assert.Equal(Uri.UnescapeDataString(byKestrel.Headers["Location"]), byLoop.Headers["Location"]);
        }
    }
}
