using System.Buffers;
using System.Text;
using HotStandby.Actors;
using HotStandby.Actors.Protocol;
using HotStandby.Core.Data;
using HotStandby.Core.Roles;
using Microsoft.AspNetCore.Http;

namespace HotStandby.Host.Http;

/// <summary>
/// <c>PUT</c>, <c>GET</c>, <c>DELETE /kv/{key}</c>: writes go to the primary's store (a standby answers 307 to the
/// primary, or 503 with Retry-After while none is known); reads are served by any data node with the applied index.
/// </summary>
public sealed class KvRoutes(Func<ResilientNode?> node)
{
    public const string AppliedIndexHeader = "X-HotStandby-Applied-Index";
    /// <summary>On reads: <c>primary</c> when the primary served it under its lease, else <c>standby</c> (maybe stale).</summary>
    public const string ServedByHeader = "X-HotStandby-Served-By";
    public const string EpochHeader = "X-HotStandby-Epoch";
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(3);

    public async Task<IResult> Handle(HttpContext ctx, string? key)
    {
        var n = node() ?? throw new HttpApi.NodeUnavailableException("the node is starting");
        var method = ctx.Request.Method;
        if (method is not ("GET" or "HEAD" or "PUT" or "DELETE"))
            return HttpApi.Error(StatusCodes.Status405MethodNotAllowed, $"{method} /kv/{{key}}: use GET, PUT or DELETE");
        if (KeyRules.KeyProblem(key, n.Settings.Kv.MaxKeyBytes) is { } problem)
            return HttpApi.Error(StatusCodes.Status400BadRequest, $"bad key: {problem}");
        if (n.Settings.IsWitness) return await ToPrimary(ctx, n, "a witness holds no data");
        return method switch
        {
            "PUT" => await Put(ctx, n, key!),
            "DELETE" => await Write(ctx, n, new ClientWrite(EntryKind.Delete, key!, null)),
            _ => await Get(ctx, n, key!),
        };
    }

    private async Task<IResult> Put(HttpContext ctx, ResilientNode n, string key)
    {
        var limit = n.Settings.Kv.MaxValueBytes;
        if (ctx.Request.ContentLength is { } declared && KeyRules.ValueProblem(declared, limit) is { } tooBig)
            return HttpApi.Error(StatusCodes.Status413PayloadTooLarge, tooBig);
        var value = await ReadBody(ctx.Request, limit);
        if (value is null)
            return HttpApi.Error(StatusCodes.Status413PayloadTooLarge, KeyRules.ValueProblem(limit + 1L, limit)!);
        return await Write(ctx, n, new ClientWrite(EntryKind.Put, key, value));
    }

    private async Task<IResult> Write(HttpContext ctx, ResilientNode n, ClientWrite write)
    {
        var timeout = n.Settings.Replication.WriteTimeout + TimeSpan.FromSeconds(1);
        switch (await n.Current.WriteAsync(write, timeout))
        {
            case WriteCommitted c:
                return Results.Bytes(Encoding.UTF8.GetBytes($"{{\"epoch\":{c.Epoch},\"index\":{c.Index}}}"), "application/json");
            case WriteRefused { NotPrimary: true } r:
                return await ToPrimary(ctx, n, r.Error);
            case WriteRefused r:
                if (r.Status == StatusCodes.Status503ServiceUnavailable) ctx.Response.Headers.RetryAfter = "1";
                return HttpApi.Error(r.Status, r.Error);
            case var other:
                return HttpApi.Error(StatusCodes.Status500InternalServerError, $"unexpected answer {other.GetType().Name}");
        }
    }

    private static async Task<IResult> Get(HttpContext ctx, ResilientNode n, string key)
    {
        var result = await n.Current.ReadAsync(key, ReadTimeout);
        ctx.Response.Headers[AppliedIndexHeader] = result.AppliedIndex.ToString();
        ctx.Response.Headers[ServedByHeader] = result.FromPrimary ? "primary" : "standby";
        ctx.Response.Headers[EpochHeader] = result.Epoch.ToString();
        if (result.Status == StatusCodes.Status200OK)
            return Results.Bytes(result.Value!, "application/octet-stream");
        if (result.Status == StatusCodes.Status503ServiceUnavailable) ctx.Response.Headers.RetryAfter = "1";
        return HttpApi.Error(result.Status, result.Error ?? "");
    }

    /// <summary>307 to the same path on the primary, or 503 with Retry-After while no primary is known.</summary>
    private static async Task<IResult> ToPrimary(HttpContext ctx, ResilientNode n, string why)
    {
        var report = await n.Current.StatusAsync(ReadTimeout);
        var primaryId = report.Core.PrimaryId;
        var url = primaryId == report.Core.NodeId ? null : report.Core.Peers.FirstOrDefault(p => p.NodeId == primaryId)?.HttpUrl;
        if (url is not null)
            return Results.Redirect($"{url}{ctx.Request.Path.ToUriComponent()}{ctx.Request.QueryString}", permanent: false, preserveMethod: true);
        ctx.Response.Headers.RetryAfter = "1";
        return HttpApi.Error(StatusCodes.Status503ServiceUnavailable,
            $"{why}; no primary is known right now ({report.Core.NodeId} is {report.Core.Role.ToWire()} in epoch {report.Core.Epoch})");
    }

    /// <returns>the body, or null when it is longer than <paramref name="limit"/></returns>
    private static async Task<byte[]?> ReadBody(HttpRequest request, int limit)
    {
        if (request.ContentLength is { } declared)
        {
            // The usual case: exactly the declared bytes, no intermediate buffers.
            var body = new byte[declared];
            var at = 0;
            while (at < body.Length)
            {
                var read = await request.Body.ReadAsync(body.AsMemory(at));
                if (read == 0) throw new BadHttpRequestException($"body ended after {at} of {declared} bytes");
                at += read;
            }
            return body;
        }
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16384);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk)) > 0)
            {
                if (buffer.Length + read > limit) return null;
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }
}
