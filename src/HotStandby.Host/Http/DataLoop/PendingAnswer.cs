using Akka.Dispatch;
using HotStandby.Actors.Protocol;

namespace HotStandby.Host.Http.DataLoop;

/// <summary>
/// One request's answer on a loop connection. It is set on whatever thread finishes the request — usually the loop's
/// own, when the store (running on the loop) commits the write — and handed to the loop, which sends answers in
/// request order.
/// </summary>
internal sealed class PendingAnswer(KvDataLoop loop, LoopConnection connection) : IRunnable
{
    public LoopConnection Connection { get; } = connection;

    /// <summary><see cref="WriteCommitted"/>, <see cref="ReadResult"/>, or an answer already formatted (byte[]).</summary>
    public object? Answer { get; private set; }

    public bool Done { get; private set; }

    public void Complete(object answer)
    {
        Answer = answer;
        loop.Deliver(this);
    }

    /// <summary>On the loop's thread: the answer may be sent.</summary>
    public void Run()
    {
        Done = true;
        loop.MarkDirty(Connection);
    }

    public void Execute() => Run();
}
