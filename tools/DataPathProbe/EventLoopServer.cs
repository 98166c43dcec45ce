using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using HotStandby.Host.Http.DataLoop;

namespace HotStandby.DataPathProbe;

/// <summary>
/// Redis' shape in .NET: one thread waits in epoll for all client sockets, reads and parses every ready request,
/// appends each to the log, and at the end of the batch makes the batch durable with one fsync before it writes the
/// answers. No thread hand-off anywhere; the group is whatever arrived during the last fsync.
/// Understands only what the benchmark sends: PUT with a Content-Length, keep-alive.
/// </summary>
public static unsafe class EventLoopServer
{
    private static readonly byte[] Answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-HotStandby-Index: 000000000\r\n\r\n"u8.ToArray();

    private sealed class Connection
    {
        public byte[] Buffer = new byte[1 << 16];
        public int Length;
    }

    public static void Run(int port, ProbeLog log, bool fsync)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        listener.Listen(128);
        listener.Blocking = false;
        var listenFd = (int)listener.Handle;
        var epoll = Libc.CreateEpoll();
        Libc.Control(epoll, Libc.EpollCtlAdd, listenFd, Libc.EpollIn, (ulong)listenFd);
        var events = new Libc.EpollEvent[64];
        var connections = new Dictionary<int, Connection>();
        var answerTo = new List<int>();
        Console.WriteLine($"datapath-probe: event loop on 127.0.0.1:{port}, fsync {(fsync ? "on" : "off")}");
        while (true)
        {
            int ready;
            fixed (Libc.EpollEvent* e = events) ready = Libc.EpollWait(epoll, e, events.Length, -1);
            if (ready < 0) continue; // EINTR
            for (var i = 0; i < ready; i++)
            {
                var fd = (int)events[i].Data;
                if (fd == listenFd) Accept(listenFd, epoll, connections);
                else if (!ReadRequests(fd, connections[fd], log, answerTo))
                {
                    Libc.Control(epoll, Libc.EpollCtlDel, fd, 0, 0);
                    Libc.Close(fd);
                    connections.Remove(fd);
                }
            }
            if (answerTo.Count == 0) continue;
            log.Sync(fsync);
            fixed (byte* a = Answer)
                foreach (var fd in answerTo) Libc.Write(fd, a, Answer.Length);
            answerTo.Clear();
        }
    }

    private static void Accept(int listenFd, int epoll, Dictionary<int, Connection> connections)
    {
        while (true)
        {
            var fd = Libc.AcceptNonBlocking(listenFd);
            if (fd < 0) return;
            Libc.SetNoDelay(fd);
            connections[fd] = new Connection();
            Libc.Control(epoll, Libc.EpollCtlAdd, fd, Libc.EpollIn, (ulong)fd);
        }
    }

    /// <returns>false when the peer closed the connection</returns>
    private static bool ReadRequests(int fd, Connection c, ProbeLog log, List<int> answerTo)
    {
        if (c.Length == c.Buffer.Length) Array.Resize(ref c.Buffer, c.Buffer.Length * 2);
        long read;
        fixed (byte* b = c.Buffer) read = Libc.Read(fd, b + c.Length, c.Buffer.Length - c.Length);
        if (read <= 0) return read < 0 && Marshal.GetLastPInvokeError() == 11; // EAGAIN: nothing after all
        c.Length += (int)read;
        var at = 0;
        while (SimpleRequest.TryParse(c.Buffer.AsSpan(at, c.Length - at), out var target, out var body, out var size))
        {
            log.Append(target);
            log.Append(body);
            answerTo.Add(fd);
            at += size;
        }
        if (at > 0)
        {
            Buffer.BlockCopy(c.Buffer, at, c.Buffer, 0, c.Length - at);
            c.Length -= at;
        }
        return true;
    }
}
