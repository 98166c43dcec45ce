using System.Text;
using HotStandby.Core.Data;

namespace HotStandby.Host.Http.DataLoop;

public enum KvMethod { Get, Put, Delete }

/// <param name="Path">the request's path as sent (<c>/kv/{key}</c>), for a redirect to the primary</param>
/// <param name="BodyStart">where the body starts, from the request's first byte</param>
/// <param name="Size">the whole request's bytes, head and body</param>
public readonly record struct KvRequest(KvMethod Method, string Key, string Path, int BodyStart, int BodyLength, int Size);

public enum ParseOutcome
{
    /// <summary>The request is not all here yet.</summary>
    Incomplete,
    /// <summary>A whole request the data loop serves.</summary>
    Request,
    /// <summary>Anything else: the connection goes to Kestrel, from this request on, with the bytes already read.</summary>
    HandOver,
}

/// <summary>
/// The strict subset of HTTP/1.1 the data loop answers itself: <c>GET</c>, <c>PUT</c> and <c>DELETE /kv/{key}</c> with
/// a plain key (no percent-encoding, query or dot segment), a <c>Content-Length</c> body, keep-alive. Every other
/// request — chunked bodies, <c>Expect</c>, <c>Connection: close</c>, other paths, oversized values, bad keys, HTTP/1.0 —
/// is handed to Kestrel, so that it keeps answering every case it answered before, in the same words.
/// </summary>
public static class KvRequestParser
{
    /// <summary>A head longer than this goes to Kestrel, which has its own limits and answers.</summary>
    public const int MaxHeadBytes = 8192;

    public static ParseOutcome TryParse(ReadOnlySpan<byte> data, int maxKeyBytes, int maxValueBytes, out KvRequest request)
    {
        request = default;
        var headEnd = data.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
            return data.Length >= MaxHeadBytes || !StartsLikeOurs(data) ? ParseOutcome.HandOver : ParseOutcome.Incomplete;
        if (headEnd >= MaxHeadBytes) return ParseOutcome.HandOver;
        var head = data[..headEnd];
        var lineEnd = head.IndexOf("\r\n"u8);
        var line = lineEnd < 0 ? head : head[..lineEnd];
        if (!TryRequestLine(line, maxKeyBytes, out var method, out var key, out var path)) return ParseOutcome.HandOver;
        var contentLength = -1L;
        var hasHost = false;
        var fields = lineEnd < 0 ? ReadOnlySpan<byte>.Empty : head[(lineEnd + 2)..];
        while (!fields.IsEmpty)
        {
            var end = fields.IndexOf("\r\n"u8);
            var field = end < 0 ? fields : fields[..end];
            fields = end < 0 ? ReadOnlySpan<byte>.Empty : fields[(end + 2)..];
            if (!TryField(field, ref contentLength, ref hasHost)) return ParseOutcome.HandOver;
        }
        if (!hasHost) return ParseOutcome.HandOver;
        if (method == KvMethod.Put ? contentLength < 0 || contentLength > maxValueBytes : contentLength > 0) return ParseOutcome.HandOver;
        var bodyLength = (int)Math.Max(contentLength, 0);
        var size = headEnd + 4 + bodyLength;
        if (data.Length < size) return ParseOutcome.Incomplete;
        request = new KvRequest(method, key, path, headEnd + 4, bodyLength, size);
        return ParseOutcome.Request;
    }

    /// <summary>While the head is still arriving: whether it can still become a request the loop serves.</summary>
    private static bool StartsLikeOurs(ReadOnlySpan<byte> data) =>
        MayBecome(data, "GET "u8) || MayBecome(data, "PUT "u8) || MayBecome(data, "DELETE "u8);

    private static bool MayBecome(ReadOnlySpan<byte> data, ReadOnlySpan<byte> method)
    {
        var n = Math.Min(data.Length, method.Length);
        if (!data[..n].SequenceEqual(method[..n])) return false;
        var rest = data[n..];
        var m = Math.Min(rest.Length, 4);
        return Ascii.EqualsIgnoreCase(rest[..m], "/kv/"u8[..m]);
    }

    private static bool TryRequestLine(ReadOnlySpan<byte> line, int maxKeyBytes, out KvMethod method, out string key, out string path)
    {
        method = default;
        key = path = "";
        var sp = line.IndexOf((byte)' ');
        if (sp < 0) return false;
        var name = line[..sp];
        if (name.SequenceEqual("GET"u8)) method = KvMethod.Get;
        else if (name.SequenceEqual("PUT"u8)) method = KvMethod.Put;
        else if (name.SequenceEqual("DELETE"u8)) method = KvMethod.Delete;
        else return false;
        var rest = line[(sp + 1)..];
        sp = rest.IndexOf((byte)' ');
        if (sp < 0 || !rest[(sp + 1)..].SequenceEqual("HTTP/1.1"u8)) return false;
        var target = rest[..sp];
        if (target.Length < 5 || !Ascii.EqualsIgnoreCase(target[..4], "/kv/"u8)) return false;
        var keyBytes = target[4..];
        foreach (var b in keyBytes)
            if (!IsPlainPathByte(b)) return false;
        if (HasDotSegment(target)) return false;
        key = Encoding.ASCII.GetString(keyBytes);
        if (KeyRules.KeyProblem(key, maxKeyBytes) is not null) return false;
        path = Encoding.ASCII.GetString(target);
        return true;
    }

    /// <summary>Bytes a path may hold as they are (RFC 3986 pchar and '/', without '%'): Kestrel would give the same key.</summary>
    private static bool IsPlainPathByte(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~' or (byte)'!' or (byte)'$' or (byte)'&' or (byte)'\''
            or (byte)'(' or (byte)')' or (byte)'*' or (byte)'+' or (byte)',' or (byte)';' or (byte)'=' or (byte)':'
            or (byte)'@' or (byte)'/';

    /// <summary>A "." or ".." segment, which Kestrel would resolve away before routing.</summary>
    private static bool HasDotSegment(ReadOnlySpan<byte> target)
    {
        foreach (var range in target.Split((byte)'/'))
        {
            var segment = target[range];
            if (segment.SequenceEqual("."u8) || segment.SequenceEqual(".."u8)) return true;
        }
        return false;
    }

    /// <returns>false for a field the loop leaves to Kestrel: a body framing or connection option it does not serve, or a malformed line</returns>
    private static bool TryField(ReadOnlySpan<byte> field, ref long contentLength, ref bool hasHost)
    {
        var colon = field.IndexOf((byte)':');
        if (colon <= 0 || field.IndexOfAny((byte)'\r', (byte)'\n') >= 0 || field[0] is (byte)' ' or (byte)'\t') return false;
        var name = field[..colon];
        if (name.IndexOfAny((byte)' ', (byte)'\t') >= 0) return false;
        var value = field[(colon + 1)..].Trim(" \t"u8);
        if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            if (contentLength >= 0 || value.IsEmpty || value.Length > 10) return false;
            long n = 0;
            foreach (var b in value)
            {
                if (b is < (byte)'0' or > (byte)'9') return false;
                n = n * 10 + (b - '0');
            }
            contentLength = n;
            return true;
        }
        if (Ascii.EqualsIgnoreCase(name, "Host"u8))
        {
            if (hasHost) return false;
            hasHost = true;
            return true;
        }
        if (Ascii.EqualsIgnoreCase(name, "Connection"u8)) return Ascii.EqualsIgnoreCase(value, "keep-alive"u8);
        return !Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8) && !Ascii.EqualsIgnoreCase(name, "Expect"u8)
            && !Ascii.EqualsIgnoreCase(name, "Upgrade"u8);
    }
}
