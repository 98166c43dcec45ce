using System.Buffers;
using System.Text;
using HotStandby.Actors;
using HotStandby.Actors.Protocol;
using HotStandby.Core.Data;
using HotStandby.Core.Roles;
using HotStandby.Core.Settings;
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

    /// <summary>Whether <paramref name="path"/> is under <c>/kv</c>; its key is what the template <c>/kv/{**key}</c> would give.</summary>
    public static bool TryMatch(PathString path, out string? key)
    {
        var p = path.Value;
        key = null;
        if (p is null || p.Length < 3 || !p.StartsWith("/kv", StringComparison.OrdinalIgnoreCase) || (p.Length > 3 && p[3] != '/'))
            return false;
        if (p.Length > 4) key = p[4..];
        return true;
    }

    /// <summary>
    /// PUT and DELETE of a valid key on a data node take the short way: one state machine from the body to the answer,
    /// which is written straight into the response. Everything else goes through <see cref="Handle"/>.
    /// </summary>
    public Task Serve(HttpContext ctx, string? key)
    {
        var n = node();
        var method = ctx.Request.Method;
        var write = HttpMethods.IsPut(method) ? EntryKind.Put : HttpMethods.IsDelete(method) ? EntryKind.Delete : (EntryKind?)null;
        return write is { } kind && n is { Settings.IsWitness: false } && KeyRules.KeyProblem(key, n.Settings.Kv.MaxKeyBytes) is null
            ? Write(ctx, n, kind, key!)
            : HttpApi.Run(ctx, () => Handle(ctx, n, key));
    }

    private static async Task Write(HttpContext ctx, ResilientNode n, EntryKind kind, string key)
    {
        IResult answer;
        try
        {
            var (value, tooBig) = kind == EntryKind.Put ? await ReadValue(ctx.Request, n.Settings.Kv.MaxValueBytes) : (null, null);
            if (tooBig is not null)
            {
                answer = HttpApi.Error(StatusCodes.Status413PayloadTooLarge, tooBig);
            }
            else
            {
                var result = await n.Current.WriteAsync(new ClientWrite(kind, key, value), WriteWait(n.Settings));
                if (result is WriteCommitted c)
                {
                    WriteCommittedAnswer(ctx.Response, c);
                    return;
                }
                answer = await NotCommitted(ctx, n, result);
            }
        }
        catch (Exception e) when (HttpApi.Failure(ctx, e) is { } failure)
        {
            answer = failure;
        }
        await answer.ExecuteAsync(ctx);
    }

    /// <summary><c>{"epoch":E,"index":I}</c>, formatted into the response's buffer; Kestrel sends it as the request ends.</summary>
    private static void WriteCommittedAnswer(HttpResponse response, WriteCommitted c)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        var buffer = response.BodyWriter.GetSpan(64);
        if (!System.Text.Unicode.Utf8.TryWrite(buffer, $"{{\"epoch\":{c.Epoch},\"index\":{c.Index}}}", out var written))
            throw new InvalidOperationException("a write's answer must fit 64 bytes");
        response.ContentLength = written;
        response.BodyWriter.Advance(written);
    }

    /// <summary>Reads, 405s and 400s, and everything a witness is asked: not the writes <see cref="Serve"/> takes.</summary>
    private static async Task<IResult> Handle(HttpContext ctx, ResilientNode? n, string? key)
    {
        if (n is null) throw new HttpApi.NodeUnavailableException("the node is starting");
        var method = ctx.Request.Method;
        if (method is not ("GET" or "HEAD" or "PUT" or "DELETE"))
            return HttpApi.Error(StatusCodes.Status405MethodNotAllowed, $"{method} /kv/{{key}}: use GET, PUT or DELETE");
        if (KeyRules.KeyProblem(key, n.Settings.Kv.MaxKeyBytes) is { } problem)
            return HttpApi.Error(StatusCodes.Status400BadRequest, $"bad key: {problem}");
        if (n.Settings.IsWitness) return await ToPrimary(ctx, n, "a witness holds no data");
        return method is "GET" or "HEAD"
            ? await Get(ctx, n, key!)
            : throw new InvalidOperationException($"{method} of a valid key on a data node is served by {nameof(Serve)}");
    }

    private static async Task<IResult> NotCommitted(HttpContext ctx, ResilientNode n, object answer)
    {
        switch (answer)
        {
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
        var (url, noPrimary) = PrimaryTarget(await n.Current.StatusAsync(ReadTimeout), why);
        if (url is not null)
            return Results.Redirect($"{url}{ctx.Request.Path.ToUriComponent()}{ctx.Request.QueryString}", permanent: false, preserveMethod: true);
        ctx.Response.Headers.RetryAfter = "1";
        return HttpApi.Error(StatusCodes.Status503ServiceUnavailable, noPrimary!);
    }

    /// <summary>Where a request this node cannot serve belongs: the primary's base URL, or why there is none (for a 503).</summary>
    internal static (string? Url, string? NoPrimary) PrimaryTarget(NodeStatusReport report, string why)
    {
        var primaryId = report.Core.PrimaryId;
        var url = primaryId == report.Core.NodeId ? null : report.Core.Peers.FirstOrDefault(p => p.NodeId == primaryId)?.HttpUrl;
        return url is not null
            ? (url, null)
            : (null, $"{why}; no primary is known right now ({report.Core.NodeId} is {report.Core.Role.ToWire()} in epoch {report.Core.Epoch})");
    }

    /// <summary>How long an HTTP write waits for the store's answer: the store's own write-timeout answer comes first.</summary>
    internal static TimeSpan WriteWait(NodeSettings settings) => settings.Replication.WriteTimeout + TimeSpan.FromSeconds(1);

    /// <exception cref="BadHttpRequestException">the body ended before filling <paramref name="body"/></exception>
    private static async ValueTask ReadExactly(HttpRequest request, byte[] body)
    {
        var at = 0;
        while (at < body.Length)
        {
            var read = await request.Body.ReadAsync(body.AsMemory(at));
            if (read == 0) throw new BadHttpRequestException($"body ended after {at} of {body.Length} bytes");
            at += read;
        }
    }

    /// <returns>the body, or the 413 message when it is longer than <paramref name="limit"/></returns>
    private static async ValueTask<(byte[]? Value, string? TooBig)> ReadValue(HttpRequest request, int limit)
    {
        if (request.ContentLength is { } declared)
        {
            if (KeyRules.ValueProblem(declared, limit) is { } tooBig) return (null, tooBig);
            // The usual case: exactly the declared bytes, no intermediate buffers.
            var body = new byte[declared];
            await ReadExactly(request, body);
            return (body, null);
        }
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16384);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk)) > 0)
            {
                if (buffer.Length + read > limit) return (null, KeyRules.ValueProblem(limit + 1L, limit));
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return (buffer.ToArray(), null);
    }
}
