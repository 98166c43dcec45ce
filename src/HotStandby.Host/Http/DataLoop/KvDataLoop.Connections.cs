using System.Net.Sockets;
using System.Runtime.InteropServices;
using Akka.Actor;
using HotStandby.Actors.Protocol;

namespace HotStandby.Host.Http.DataLoop;

/// <summary>The loop's connections: accept, read and parse, send answers in order, hand over to Kestrel, close.</summary>
public sealed partial class KvDataLoop
{
    private void AcceptAll(Socket listener)
    {
        var listenFd = (int)listener.Handle;
        for (var n = 0; n < 256; n++)
        {
            var fd = Libc.AcceptNonBlocking(listenFd);
            if (fd < 0) return;
            Libc.SetNoDelay(fd);
            var c = new LoopConnection(_nextId++, fd) { LastReceivedMs = Environment.TickCount64 };
            _connections[c.Id] = c;
            Libc.Control(_epoll, Libc.EpollCtlAdd, fd, c.Interest, c.Id);
        }
    }

    private void OnConnectionEvent(LoopConnection c, uint events)
    {
        if ((events & (Libc.EpollErr | Libc.EpollHup)) != 0)
        {
            Close(c); // reset or gone both ways: nothing more can be read or answered
            return;
        }
        if ((events & Libc.EpollOut) != 0) MarkDirty(c);
        if ((events & Libc.EpollIn) != 0 && !c.HandingOver && !c.PeerClosed) Read(c);
    }

    private unsafe void Read(LoopConnection c)
    {
        c.MakeRoom();
        nint read;
        fixed (byte* b = c.Input) read = Libc.Read(c.Fd, b + c.InputLength, c.Input.Length - c.InputLength);
        if (read < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is not (Libc.EAgain or Libc.EIntr)) Close(c);
            return;
        }
        if (read == 0)
        {
            c.PeerClosed = true;
            MarkDirty(c); // closes once its answers are out; a half-sent request is handed to nobody
            return;
        }
        c.InputLength += (int)read;
        c.LastReceivedMs = Environment.TickCount64;
        ParseAndStart(c);
    }

    /// <summary>Starts every whole request buffered on <paramref name="c"/>, up to the first one Kestrel must serve.</summary>
    private void ParseAndStart(LoopConnection c)
    {
        if (c.AwaitingStore) return;
        if (c.InputLength == 0)
        {
            UpdateInterest(c);
            return;
        }
        var node = _node();
        if (node is null)
        {
            StartHandOver(c); // starting: Kestrel answers 503 until the node is up
            return;
        }
        IActorRef? store = null;
        var at = 0;
        while (!c.HandingOver && !c.Backpressured && at < c.InputLength)
        {
            var outcome = KvRequestParser.TryParse(c.Input.AsSpan(at, c.InputLength - at), _limits.MaxKeyBytes, _limits.MaxValueBytes, out var request);
            if (outcome == ParseOutcome.Incomplete) break;
            if (outcome == ParseOutcome.HandOver)
            {
                StartHandOver(c);
                break;
            }
            if (request.Method == KvMethod.Get && c.Answers.Count > 0) break; // a read sees the writes sent before it: it waits for their answers
            if (store is null && !node.Current.TryGetStore(out store, out var resolving))
            {
                AwaitStore(c, resolving);
                break;
            }
            var answer = new PendingAnswer(this, c);
            c.Answers.Enqueue(answer);
            Start(node, store, request, c.Input.AsSpan(at + request.BodyStart, request.BodyLength), answer);
            at += request.Size;
        }
        c.Consume(at);
        UpdateInterest(c);
    }

    /// <summary>The most a connection's unparsed input may hold before the loop stops reading it: two of the largest requests.</summary>
    private int InputCap => 2 * (KvRequestParser.MaxHeadBytes + _limits.MaxValueBytes);

    private void StartHandOver(LoopConnection c)
    {
        c.HandingOver = true;
        MarkDirty(c);
    }

    /// <summary>
    /// A new incarnation's store is not resolved yet: its connections wait, in order, and go on when it is (or go to
    /// Kestrel, which answers them one at a time, when it cannot be found).
    /// </summary>
    private void AwaitStore(LoopConnection c, Task<IActorRef> resolving)
    {
        c.AwaitingStore = true;
        _awaitingStore.Add(c);
        if (_storeWaitArmed) return;
        _storeWaitArmed = true;
        resolving.ContinueWith(t => Post(new LoopWork(() => ResumeAfterStore(t.IsCompletedSuccessfully))), TaskScheduler.Default);
    }

    private void ResumeAfterStore(bool found)
    {
        _storeWaitArmed = false;
        var waiting = _awaitingStore.ToList();
        _awaitingStore.Clear();
        foreach (var c in waiting)
        {
            c.AwaitingStore = false;
            if (c.Closed) continue;
            if (found) ParseAndStart(c);
            else StartHandOver(c);
        }
    }

    private void SendAnswers()
    {
        // Sending may hand over or close a connection, and an answer may mark another one dirty meanwhile.
        for (var i = 0; i < _dirty.Count; i++)
        {
            var c = _dirty[i];
            c.Dirty = false;
            if (!c.Closed) Send(c);
        }
        _dirty.Clear();
    }

    private unsafe void Send(LoopConnection c)
    {
        var wasBackpressured = c.Backpressured;
        while (c.Answers.TryPeek(out var head) && head.Done)
        {
            c.Answers.Dequeue();
            Format(c.Output, head.Answer!);
        }
        while (c.Output.Pending > 0)
        {
            nint sent;
            fixed (byte* b = c.Output.Unsent) sent = Libc.Write(c.Fd, b, c.Output.Pending);
            if (sent > 0)
            {
                c.Output.Consume((int)sent);
                continue;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EIntr) continue;
            if (errno != Libc.EAgain) Close(c);
            break;
        }
        if (c.Closed) return;
        // Requests left buffered: behind a full window, or a read behind writes, or sent before the client closed its side.
        if (!c.HandingOver && (wasBackpressured || c.Answers.Count == 0)) ParseAndStart(c);
        var idle = c.Answers.Count == 0 && c.Output.Pending == 0;
        if (idle && c.HandingOver) HandOverToKestrel(c);
        else if (idle && c.PeerClosed && !c.AwaitingStore) Close(c);
        else UpdateInterest(c);
    }

    private static void Format(OutputBuffer to, object answer)
    {
        switch (answer)
        {
            case WriteCommitted committed:
                KvAnswers.Committed(to, committed);
                break;
            case ReadResult read:
                KvAnswers.Read(to, read);
                break;
            case byte[] formatted:
                formatted.CopyTo(to.GetSpan(formatted.Length));
                to.Advance(formatted.Length);
                break;
            default:
                KvAnswers.Error(to, 500, $"unexpected answer {answer.GetType().Name}");
                break;
        }
    }

    private void UpdateInterest(LoopConnection c)
    {
        if (c.Closed) return;
        // Not while it waits (for the store, or a read for the writes before it) with a request's worth buffered already.
        var reading = !c.HandingOver && !c.PeerClosed && !c.Backpressured && !c.AwaitingStore && c.InputLength < InputCap;
        var interest = (reading ? Libc.EpollIn : 0) | (c.Output.Pending > 0 ? Libc.EpollOut : 0);
        if (interest == c.Interest) return;
        c.Interest = interest;
        Libc.Control(_epoll, Libc.EpollCtlMod, c.Fd, interest, c.Id);
    }

    /// <summary>Kestrel takes the socket and first reads the bytes the loop had read but not served.</summary>
    private void HandOverToKestrel(LoopConnection c)
    {
        Libc.Control(_epoll, Libc.EpollCtlDel, c.Fd, 0, c.Id);
        _connections.Remove(c.Id);
        c.Closed = true;
        var socket = new Socket(new SafeSocketHandle(c.Fd, ownsHandle: true));
        HandOver.Accept(socket, c.Input.AsSpan(0, c.InputLength).ToArray());
    }

    /// <summary>
    /// Once a second: closes connections idle past the limit — a client that vanished without a FIN, or one that stopped
    /// in the middle of a request, would otherwise hold its descriptor for good.
    /// </summary>
    private void CloseIdleConnections()
    {
        var now = Environment.TickCount64;
        if (now - _lastIdleSweepMs < 1000) return;
        _lastIdleSweepMs = now;
        var limit = (long)_limits.IdleTimeout.TotalMilliseconds;
        List<LoopConnection>? idle = null;
        foreach (var c in _connections.Values)
            if (c.Answers.Count == 0 && c.Output.Pending == 0 && !c.AwaitingStore && now - c.LastReceivedMs >= limit)
                (idle ??= new()).Add(c);
        foreach (var c in idle ?? []) Close(c);
    }

    private void Close(LoopConnection c)
    {
        if (c.Closed) return;
        c.Closed = true;
        _connections.Remove(c.Id);
        Libc.Control(_epoll, Libc.EpollCtlDel, c.Fd, 0, c.Id);
        Libc.Close(c.Fd);
    }
}
