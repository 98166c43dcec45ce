using System.Buffers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HotStandby.DataPathProbe;

/// <summary>
/// The node's HTTP shape without Akka or replication: Kestrel set up as the node sets it up (requests run inline on
/// the socket thread). With a log, each PUT is handed to a <see cref="StoreThread"/> that appends, fsyncs once per
/// drained queue and completes the request, so the answer is written on the store's thread, as the node's is.
/// Without one, the request is answered at once: what Kestrel alone costs.
/// </summary>
public static class KestrelServers
{
    public static void Run(int port, ProbeLog? log)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(o => o.AddServerHeader = false);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var store = log is null ? null : new StoreThread(log);
        app.Run(async ctx =>
        {
            var record = await ReadRecord(ctx);
            if (store is not null) await store.Commit(record);
            ctx.Response.StatusCode = 200;
            ctx.Response.Headers["X-HotStandby-Index"] = "000000000";
            ctx.Response.ContentLength = 0;
        });
        Console.WriteLine($"datapath-probe: Kestrel on 127.0.0.1:{port}, {(store is null ? "answering at once" : "store thread with group fsync")}");
        app.Run();
    }

    private static async Task<byte[]> ReadRecord(HttpContext ctx)
    {
        var reader = ctx.Request.BodyReader;
        var expected = ctx.Request.ContentLength ?? 0;
        while (true)
        {
            var read = await reader.ReadAsync();
            if (read.IsCompleted || read.Buffer.Length >= expected)
            {
                var path = ctx.Request.Path.Value ?? "";
                var record = new byte[path.Length + read.Buffer.Length];
                for (var i = 0; i < path.Length; i++) record[i] = (byte)path[i];
                read.Buffer.CopyTo(record.AsSpan(path.Length));
                reader.AdvanceTo(read.Buffer.End);
                return record;
            }
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }
}
