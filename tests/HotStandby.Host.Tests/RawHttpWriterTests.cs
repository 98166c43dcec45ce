using System.Net;
using System.Net.Sockets;
using System.Text;
using HotStandby.Host.Client;
using HotStandby.Host.Demo;
using Xunit;

namespace HotStandby.Host.Tests;

/// <summary>The benchmark's client reads both answer framings and reports what an error answer said, in plain words; /proc fields are read by number.</summary>
public class RawHttpWriterTests
{
    /// <summary>Answers each request on one connection with the next canned response, then closes.</summary>
    /// <returns>the requests as they arrived</returns>
    private static async Task<List<string>> Serve(TcpListener listener, params string[] responses)
    {
        using var socket = await listener.AcceptSocketAsync();
        var buffer = new byte[4096];
        var requests = new List<string>();
        foreach (var response in responses)
        {
            var request = "";
            while (!request.Contains("\r\n\r\n") || !request.EndsWith("value"))
                request += Encoding.ASCII.GetString(buffer, 0, await socket.ReceiveAsync(buffer));
            requests.Add(request);
            await socket.SendAsync(Encoding.UTF8.GetBytes(response));
        }
        return requests;
    }

    /// <summary>A client connected to a loopback listener that answers with <paramref name="responses"/> in turn.</summary>
    private static async Task WithServer(string[] responses, Func<RawHttpWriter, int, Task<List<string>>, Task> test)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var server = Serve(listener, responses);
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            using var client = new RawHttpWriter($"http://127.0.0.1:{port}");
            await test(client, port, server);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public Task Sends_the_key_escaped_as_a_path_segment_and_the_value_with_its_length() =>
        WithServer(["HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"], async (client, port, server) =>
        {
            const string odd = "a b/ж😀?%";
            Assert.Equal(200, client.Put("run-1_x.~9", "value"u8));
            Assert.Equal(200, client.Put(odd, "value"u8));
            var requests = await server;
            Assert.Equal($"PUT /kv/run-1_x.~9 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 5\r\n\r\nvalue", requests[0]);
            Assert.StartsWith($"PUT /kv/{Uri.EscapeDataString(odd)} HTTP/1.1\r\n", requests[1]);
        });

    [Fact]
    public Task Reads_sized_and_chunked_answers_and_keeps_the_text_of_an_error()
    {
        const string json = "{\"error\":\"the primary's lease lapsed\"}";
        return WithServer(
        [
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
            $"HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: chunked\r\n\r\n{json.Length:x}\r\n{json}\r\n0\r\n\r\n",
            "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 14\r\n\r\n{\"error\":\"no\"}",
        ], async (client, _, server) =>
        {
            Assert.Equal(200, client.Put("k1", "value"u8));
            Assert.Equal("", client.LastError);
            Assert.Equal(503, client.Put("k2", "value"u8));
            Assert.Equal($"503 {json}", client.LastError);
            Assert.Equal(413, client.Put("k3", "value"u8));
            Assert.Equal("413 {\"error\":\"no\"}", client.LastError);
            await server;
        });
    }

    [Fact]
    public void Proc_stat_fields_are_numbered_as_in_man_proc()
    {
        var own = ProcStat.Read(Environment.ProcessId);
        Assert.NotNull(own);
        var parentFromStatus = File.ReadLines("/proc/self/status").First(l => l.StartsWith("PPid:"))[5..].Trim();
        Assert.Equal(parentFromStatus, ProcStat.Field(own, 4)); // field 4 is ppid
        Assert.Null(ProcStat.Read(int.MaxValue));
    }
}
