using System.Buffers;
using System.Net.Sockets;
using System.Text;

namespace HotStandby.Host.Client;

/// <summary>
/// A minimal HTTP/1.1 keep-alive PUT client over one socket, for benchmarks: it costs far less CPU per request than
/// HttpClient, so that on a small machine the figures measure the node rather than the load generator.
/// </summary>
public sealed class RawHttpWriter : IDisposable
{
    private readonly Socket _socket;
    private readonly string _host;
    private readonly byte[] _buffer = new byte[8192];

    public RawHttpWriter(string baseUrl)
    {
        var uri = new Uri(baseUrl);
        _host = $"{uri.Host}:{uri.Port}";
        _socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket.Connect(uri.Host, uri.Port);
    }

    /// <returns>the HTTP status of the answer</returns>
    public async Task<int> Put(string key, byte[] value)
    {
        var head = Encoding.ASCII.GetBytes($"PUT /kv/{Uri.EscapeDataString(key)} HTTP/1.1\r\nHost: {_host}\r\nContent-Length: {value.Length}\r\n\r\n");
        var request = ArrayPool<byte>.Shared.Rent(head.Length + value.Length);
        try
        {
            head.CopyTo(request, 0);
            value.CopyTo(request, head.Length);
            await _socket.SendAsync(request.AsMemory(0, head.Length + value.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(request);
        }
        return await ReadResponse();
    }

    private async Task<int> ReadResponse()
    {
        var filled = 0;
        while (true)
        {
            var read = await _socket.ReceiveAsync(_buffer.AsMemory(filled));
            if (read == 0) throw new IOException("connection closed");
            filled += read;
            var text = Encoding.ASCII.GetString(_buffer, 0, filled);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0) continue;
            var status = int.Parse(text.AsSpan(9, 3));
            var lengthAt = text.IndexOf("Content-Length:", StringComparison.OrdinalIgnoreCase);
            var length = lengthAt >= 0 && lengthAt < end
                ? int.Parse(text.AsSpan(lengthAt + 15, text.IndexOf('\r', lengthAt) - lengthAt - 15).Trim())
                : 0;
            if (text.IndexOf("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) is var chunked && chunked >= 0 && chunked < end)
            {
                while (!Encoding.ASCII.GetString(_buffer, 0, filled).EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal))
                {
                    var more = await _socket.ReceiveAsync(_buffer.AsMemory(filled));
                    if (more == 0) throw new IOException("connection closed");
                    filled += more;
                }
                return status;
            }
            var total = end + 4 + length;
            while (filled < total)
            {
                var more = await _socket.ReceiveAsync(_buffer.AsMemory(filled));
                if (more == 0) throw new IOException("connection closed");
                filled += more;
            }
            return status;
        }
    }

    public void Dispose() => _socket.Dispose();
}
