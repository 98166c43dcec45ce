using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;

namespace HotStandby.Host.Client;

/// <summary>
/// A minimal HTTP/1.1 keep-alive PUT client over one blocking socket, for benchmarks. Like the Redis peer's
/// <c>wbench.c</c>, each client is one thread with one connection and one request outstanding, and a request costs a
/// send and a receive: on a small machine the figures then measure the node rather than the load generator.
/// </summary>
public sealed class RawHttpWriter : IDisposable
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] ContentLength = "content-length:"u8.ToArray();
    private static readonly byte[] Chunked = "transfer-encoding: chunked"u8.ToArray();
    private static readonly byte[] LastChunk = "\r\n0\r\n\r\n"u8.ToArray();

    private readonly Socket _socket;
    private readonly string _host;
    private readonly byte[] _request = new byte[16384];
    private readonly byte[] _buffer = new byte[16384];
    private readonly char[] _escapedKey = new char[8192];

    public RawHttpWriter(string baseUrl)
    {
        var uri = new Uri(baseUrl);
        _host = $"{uri.Host}:{uri.Port}";
        _socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket.Connect(uri.Host, uri.Port);
    }

    /// <summary>The body of the last answer that was not 200 (a node's JSON error), for the benchmark's error report.</summary>
    public string LastError { get; private set; } = "";

    /// <returns>the HTTP status of the answer</returns>
    public int Put(ReadOnlySpan<char> key, ReadOnlySpan<byte> value)
    {
        // Formatted straight into the request buffer: a load generator that allocates per request would make its own
        // collections part of what it measures.
        if (!Uri.TryEscapeDataString(key, _escapedKey, out var keyChars))
            throw new ArgumentException($"a {key.Length}-character key does not fit the benchmark's request buffer");
        var request = _request.AsSpan();
        "PUT /kv/"u8.CopyTo(request);
        var head = 8 + Encoding.ASCII.GetBytes(_escapedKey.AsSpan(0, keyChars), request[8..]);
        if (!System.Text.Unicode.Utf8.TryWrite(request[head..], $" HTTP/1.1\r\nHost: {_host}\r\nContent-Length: {value.Length}\r\n\r\n", out var rest)
            || head + rest + value.Length > request.Length)
            throw new ArgumentException($"a {key.Length}-character key with a {value.Length}-byte value does not fit the benchmark's request buffer");
        head += rest;
        value.CopyTo(request[head..]);
        var total = head + value.Length;
        for (var sent = 0; sent < total;) sent += _socket.Send(_request, sent, total - sent, SocketFlags.None);
        return ReadResponse();
    }

    private int ReadResponse()
    {
        var filled = 0;
        int end;
        while ((end = _buffer.AsSpan(0, filled).IndexOf(HeaderEnd)) < 0) filled += Receive(filled);
        var head = _buffer.AsSpan(0, end);
        if (!Utf8Parser.TryParse(head[9..12], out int status, out _)) throw new IOException("not an HTTP status line");
        // Kestrel's own spelling first: a case-blind scan of every header on every answer costs the client a microsecond.
        var at = head.IndexOf("\r\nContent-Length:"u8);
        if (at >= 0) at += 2;
        else at = IndexOfIgnoreCase(head, ContentLength);
        if (at < 0 && IndexOfIgnoreCase(head, Chunked) >= 0)
        {
            while (!_buffer.AsSpan(0, filled).EndsWith(LastChunk)) filled += Receive(filled);
            if (status != 200) LastError = $"{status} {Dechunk(_buffer.AsSpan(end + 4, filled - end - 4))}";
            return status;
        }
        var length = 0;
        if (at >= 0)
        {
            var rest = head[(at + ContentLength.Length)..].TrimStart((byte)' ');
            Utf8Parser.TryParse(rest, out length, out _);
        }
        while (filled < end + 4 + length) filled += Receive(filled);
        if (status != 200) LastError = $"{status} {Encoding.UTF8.GetString(_buffer, end + 4, length)}";
        return status;
    }

    private int Receive(int filled)
    {
        if (filled == _buffer.Length) throw new IOException("the answer is larger than the benchmark's buffer");
        var read = _socket.Receive(_buffer, filled, _buffer.Length - filled, SocketFlags.None);
        return read > 0 ? read : throw new IOException("connection closed");
    }

    private static int IndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> needle)
    {
        for (var i = 0; i + needle.Length <= text.Length; i++)
            if (Ascii.EqualsIgnoreCase(text.Slice(i, needle.Length), needle)) return i;
        return -1;
    }

    /// <summary>The payload of a chunked body (hex size line, data, CRLF; until the 0-size chunk).</summary>
    private static string Dechunk(ReadOnlySpan<byte> body)
    {
        var text = new StringBuilder();
        while (body.IndexOf("\r\n"u8) is var eol and > 0
               && int.TryParse(Encoding.ASCII.GetString(body[..eol]), System.Globalization.NumberStyles.HexNumber, null, out var size)
               && size > 0 && eol + 2 + size <= body.Length)
        {
            text.Append(Encoding.UTF8.GetString(body.Slice(eol + 2, size)));
            body = body[Math.Min(body.Length, eol + 2 + size + 2)..];
        }
        return text.ToString();
    }

    public void Dispose() => _socket.Dispose();
}
