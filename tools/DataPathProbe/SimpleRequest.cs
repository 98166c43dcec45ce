namespace HotStandby.DataPathProbe;

/// <summary>Just enough HTTP/1.1 for the benchmark's PUTs: request line, headers, a Content-Length body.</summary>
public static class SimpleRequest
{
    /// <returns>true with the request target, its body and the bytes it took, when a whole request is buffered</returns>
    public static bool TryParse(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> target, out ReadOnlySpan<byte> body, out int size)
    {
        target = body = default;
        size = 0;
        var headEnd = data.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0) return false;
        var head = data[..headEnd];
        var contentLength = 0;
        var at = head.IndexOf("\r\nContent-Length: "u8);
        if (at >= 0)
            for (var i = at + 18; i < head.Length && head[i] is >= (byte)'0' and <= (byte)'9'; i++)
                contentLength = contentLength * 10 + (head[i] - '0');
        if (data.Length < headEnd + 4 + contentLength) return false;
        var lineEnd = head.IndexOf("\r\n"u8);
        var line = lineEnd >= 0 ? head[..lineEnd] : head;       // METHOD SP TARGET SP VERSION
        var rest = line[(line.IndexOf((byte)' ') + 1)..];
        var targetEnd = rest.IndexOf((byte)' ');
        target = targetEnd >= 0 ? rest[..targetEnd] : default;
        body = data.Slice(headEnd + 4, contentLength);
        size = headEnd + 4 + contentLength;
        return true;
    }
}
