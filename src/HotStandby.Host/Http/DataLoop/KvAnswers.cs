using System.Buffers;
using System.Text;
using System.Text.Json;
using HotStandby.Actors.Protocol;
using Microsoft.AspNetCore.WebUtilities;

namespace HotStandby.Host.Http.DataLoop;

/// <summary>
/// The data loop's answers, byte for byte what <see cref="KvRoutes"/> gives through Kestrel for the same request:
/// the same status, headers that matter and JSON body.
/// </summary>
public static class KvAnswers
{
    /// <summary>The options <c>Results.Json</c> uses when the app sets none.</summary>
    private static readonly JsonSerializerOptions JsonOptions = new Microsoft.AspNetCore.Http.Json.JsonOptions().SerializerOptions;
    private static string _dateLine = "";
    private static long _dateSecond = -1;

    /// <summary><c>Date: ...\r\n</c>, formatted once a second as Kestrel does.</summary>
    private static string DateLine()
    {
        var now = DateTimeOffset.UtcNow;
        var second = now.ToUnixTimeSeconds();
        if (second != Volatile.Read(ref _dateSecond))
        {
            Volatile.Write(ref _dateLine, $"Date: {now:r}\r\n");
            Volatile.Write(ref _dateSecond, second);
        }
        return Volatile.Read(ref _dateLine);
    }

    public static void Committed(IBufferWriter<byte> to, WriteCommitted c)
    {
        Span<byte> body = stackalloc byte[64];
        if (!System.Text.Unicode.Utf8.TryWrite(body, $"{{\"epoch\":{c.Epoch},\"index\":{c.Index}}}", out var n))
            throw new InvalidOperationException("a write's answer must fit 64 bytes");
        Head(to, 200, n, "application/json", "");
        Write(to, body[..n]);
    }

    public static void Read(IBufferWriter<byte> to, ReadResult r)
    {
        var headers = $"{KvRoutes.AppliedIndexHeader}: {r.AppliedIndex}\r\n{KvRoutes.ServedByHeader}: {(r.FromPrimary ? "primary" : "standby")}\r\n" +
                      $"{KvRoutes.EpochHeader}: {r.Epoch}\r\n";
        if (r.Status == 200)
        {
            Head(to, 200, r.Value!.Length, "application/octet-stream", headers);
            Write(to, r.Value);
            return;
        }
        if (r.Status == 503) headers += "Retry-After: 1\r\n";
        Error(to, r.Status, r.Error ?? "", headers);
    }

    /// <summary><c>{"error":"..."}</c> as <c>Results.Json</c> writes it, with any extra header lines.</summary>
    public static void Error(IBufferWriter<byte> to, int status, string message, string extraHeaders = "")
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorBody(message), JsonOptions);
        Head(to, status, body.Length, "application/json; charset=utf-8", extraHeaders);
        Write(to, body);
    }

    public static void Redirect(IBufferWriter<byte> to, string location) => Head(to, 307, 0, null, $"Location: {location}\r\n");

    public static byte[] ToArray(Action<IBufferWriter<byte>> answer)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        answer(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static void Head(IBufferWriter<byte> to, int status, int contentLength, string? contentType, string extraHeaders)
    {
        var span = to.GetSpan(320 + Encoding.UTF8.GetMaxByteCount(extraHeaders.Length));
        var type = contentType is null ? "" : "Content-Type: ";
        var typeEnd = contentType is null ? "" : "\r\n";
        if (!System.Text.Unicode.Utf8.TryWrite(span,
                $"HTTP/1.1 {status} {ReasonPhrases.GetReasonPhrase(status)}\r\nContent-Length: {contentLength}\r\n{type}{contentType}{typeEnd}{DateLine()}{extraHeaders}\r\n",
                out var n))
            throw new InvalidOperationException("an answer's head did not fit its buffer");
        to.Advance(n);
    }

    private static void Write(IBufferWriter<byte> to, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(to.GetSpan(bytes.Length));
        to.Advance(bytes.Length);
    }

    private sealed record ErrorBody(string Error);
}
