using System.Net.Sockets;
using System.Text;

namespace HotStandby.Host.Tests;

/// <summary>One keep-alive connection that sends bytes as given (pipelined requests included) and reads answers one by one.</summary>
internal sealed class RawHttpConnection : IDisposable
{
    private readonly TcpClient _client = new();
    private readonly MemoryStream _unread = new();
    private NetworkStream _stream = null!;

    public sealed record Answer(int Status, Dictionary<string, string> Headers, string Body);

    public static async Task<RawHttpConnection> Open(string url)
    {
        var uri = new Uri(url);
        var c = new RawHttpConnection();
        await c._client.ConnectAsync(uri.Host, uri.Port);
        c._stream = c._client.GetStream();
        c._stream.ReadTimeout = 30_000;
        return c;
    }

    public static string Put(string path, string body) => $"PUT {path} HTTP/1.1\r\nHost: t\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";
    public static string Get(string path) => $"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n";
    public static string Delete(string path) => $"DELETE {path} HTTP/1.1\r\nHost: t\r\n\r\n";

    public Task Send(string requests) => _stream.WriteAsync(Encoding.UTF8.GetBytes(requests)).AsTask();

    /// <summary>The next answer on the connection: a Content-Length body (the loop's) or a chunked one (Kestrel's JSON).</summary>
    public async Task<Answer> Read()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[65536];
        while (true)
        {
            var data = _unread.ToArray();
            if (TryAnswer(data, out var answer, out var used))
            {
                _unread.SetLength(0);
                _unread.Write(data, used, data.Length - used);
                return answer!;
            }
            var read = await _stream.ReadAsync(buffer, cts.Token);
            if (read == 0) throw new IOException($"the server closed the connection; unread: {Encoding.ASCII.GetString(data)}");
            _unread.Write(buffer, 0, read);
        }
    }

    private static bool TryAnswer(byte[] data, out Answer? answer, out int used)
    {
        answer = null;
        used = 0;
        var headEnd = data.AsSpan().IndexOf("\r\n\r\n"u8);
        if (headEnd < 0) return false;
        var head = Encoding.ASCII.GetString(data, 0, headEnd).Split("\r\n");
        var headers = head.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var status = int.Parse(head[0].Split(' ')[1]);
        var at = headEnd + 4;
        var body = new MemoryStream();
        if (headers.GetValueOrDefault("Transfer-Encoding") == "chunked")
        {
            while (true)
            {
                var lineEnd = data.AsSpan(at).IndexOf("\r\n"u8);
                if (lineEnd < 0) return false;
                var size = Convert.ToInt32(Encoding.ASCII.GetString(data, at, lineEnd), 16);
                at += lineEnd + 2;
                if (data.Length < at + size + 2) return false;
                body.Write(data, at, size);
                at += size + 2;
                if (size == 0) break;
            }
        }
        else
        {
            var length = int.Parse(headers.GetValueOrDefault("Content-Length", "0"));
            if (data.Length < at + length) return false;
            body.Write(data, at, length);
            at += length;
        }
        headers.Remove("Content-Length");
        headers.Remove("Transfer-Encoding");
        answer = new Answer(status, headers, Encoding.UTF8.GetString(body.ToArray()));
        used = at;
        return true;
    }

    public void Dispose() => _client.Dispose();
}
