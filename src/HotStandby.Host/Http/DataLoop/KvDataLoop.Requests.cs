using Akka.Actor;
using HotStandby.Actors;
using HotStandby.Actors.Protocol;
using HotStandby.Core.Data;

namespace HotStandby.Host.Http.DataLoop;

/// <summary>The loop's requests: each goes to the store as the Kestrel route sends it, and its answer comes back to the loop.</summary>
public sealed partial class KvDataLoop
{
    /// <param name="WriteTimeout">how long a write may wait for the store's answer (the route's replication.write-timeout + 1 s)</param>
    /// <param name="IdleTimeout">a connection with nothing in flight and nothing received for this long is closed (Kestrel's keep-alive timeout)</param>
    public sealed record Limits(int MaxKeyBytes, int MaxValueBytes, TimeSpan WriteTimeout, TimeSpan IdleTimeout)
    {
        public static readonly TimeSpan KestrelKeepAlive = TimeSpan.FromSeconds(130);
    }

    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(3);
    private Limits _limits = new(0, 0, TimeSpan.Zero, Limits.KestrelKeepAlive);

    /// <summary>Tells the request to the store (in request order: no await before the tell) and arranges for its answer.</summary>
    private void Start(ResilientNode node, IActorRef store, KvRequest request, ReadOnlySpan<byte> body, PendingAnswer answer)
    {
        try
        {
            switch (request.Method)
            {
                case KvMethod.Get:
                    OnRead(store.Ask<ReadResult>(new ClientRead(request.Key), ReadTimeout), answer);
                    break;
                case KvMethod.Put:
                    OnWrite(node.Current.WriteAsync(store, new ClientWrite(EntryKind.Put, request.Key, body.ToArray()), _limits.WriteTimeout),
                        node, request.Path, answer);
                    break;
                default:
                    OnWrite(node.Current.WriteAsync(store, new ClientWrite(EntryKind.Delete, request.Key, null), _limits.WriteTimeout),
                        node, request.Path, answer);
                    break;
            }
        }
        catch (Exception e)
        {
            answer.Complete(Failure(e));
        }
    }

    /// <summary>Usually completes on this thread, inside the store's flush, and the answer is sent in the same turn.</summary>
    private static void OnWrite(Task<object> write, ResilientNode node, string path, PendingAnswer answer)
    {
        if (write.IsCompleted) WriteDone(write, node, path, answer);
        else write.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() => WriteDone(write, node, path, answer));
    }

    private static void WriteDone(Task<object> write, ResilientNode node, string path, PendingAnswer answer)
    {
        if (!write.IsCompletedSuccessfully)
        {
            answer.Complete(Failure(write.Exception?.InnerException ?? new TaskCanceledException()));
            return;
        }
        switch (write.Result)
        {
            case WriteCommitted committed:
                answer.Complete(committed);
                break;
            case WriteRefused { NotPrimary: true } refused:
                _ = RedirectToPrimary(node, path, refused.Error, answer);
                break;
            case WriteRefused refused:
                answer.Complete(KvAnswers.ToArray(to =>
                    KvAnswers.Error(to, refused.Status, refused.Error, refused.Status == 503 ? "Retry-After: 1\r\n" : "")));
                break;
            case var other:
                answer.Complete(KvAnswers.ToArray(to => KvAnswers.Error(to, 500, $"unexpected answer {other.GetType().Name}")));
                break;
        }
    }

    private static void OnRead(Task<ReadResult> read, PendingAnswer answer)
    {
        read.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() =>
            answer.Complete(read.IsCompletedSuccessfully ? read.Result : Failure(read.Exception?.InnerException ?? new TaskCanceledException())));
    }

    /// <summary>As the Kestrel route: 307 to the same path on the primary, or 503 with Retry-After while none is known.</summary>
    private static async Task RedirectToPrimary(ResilientNode node, string path, string why, PendingAnswer answer)
    {
        try
        {
            var (url, noPrimary) = KvRoutes.PrimaryTarget(await node.Current.StatusAsync(ReadTimeout), why);
            answer.Complete(url is not null
                ? KvAnswers.ToArray(to => KvAnswers.Redirect(to, url + path))
                : KvAnswers.ToArray(to => KvAnswers.Error(to, 503, noPrimary!, "Retry-After: 1\r\n")));
        }
        catch (Exception e)
        {
            answer.Complete(Failure(e));
        }
    }

    /// <summary>What <see cref="HttpApi.Failure"/> answers for the same exception: 503 with Retry-After, else 500.</summary>
    private static byte[] Failure(Exception e) => HttpApi.NodeNotAnswering(e)
        ? KvAnswers.ToArray(to => KvAnswers.Error(to, 503, $"node not answering: {e.Message}", "Retry-After: 1\r\n"))
        : KvAnswers.ToArray(to => KvAnswers.Error(to, 500, $"{e.GetType().Name}: {e.Message}"));
}
