using Akka.Actor;
using HotStandby.Core.Settings;
using HotStandby.Core.Supervision;

namespace HotStandby.Actors.Node;

/// <summary>
/// The supervisor's bookkeeping of replication senders: one per standby for the current epoch while this node is
/// primary; a sender that crashes is started again after a backoff (<see cref="ChildFailurePolicy"/>).
/// </summary>
public sealed class ReplicationLinks(NodeSettings settings, IMonotonicClock clock)
{
    private const string Prefix = "replication-";
    private readonly Dictionary<string, (IActorRef Ref, string Name)> _links = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Failures, long RetryAtMs)> _backoff = new(StringComparer.Ordinal);
    private readonly ChildFailurePolicy _policy = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
    private long _epoch;
    private long _counter;

    public bool IsLink(string childName) => childName.StartsWith(Prefix, StringComparison.Ordinal);

    /// <param name="epoch">the epoch this node is primary of, or 0 when it is not primary</param>
    public void Sync(IActorContext context, long epoch, IReadOnlyCollection<string> dataPeers, IReadOnlyDictionary<string, Address> addresses, IActorRef store)
    {
        if (epoch != _epoch)
        {
            foreach (var (_, link) in _links) context.Stop(link.Ref);
            _links.Clear();
            _backoff.Clear();
            _epoch = epoch;
        }
        if (epoch == 0) return;
        var now = clock.NowMs;
        foreach (var peer in dataPeers)
        {
            if (_links.ContainsKey(peer) || !addresses.TryGetValue(peer, out var address)) continue;
            if (_backoff.TryGetValue(peer, out var b) && now < b.RetryAtMs) continue;
            var name = $"{Prefix}{peer}-{++_counter}";
            var onHostDispatcher = context.System.Dispatchers.HasDispatcher(ReplicationSender.DispatcherId);
            var child = context.ActorOf(ReplicationSender.Props(settings, peer, address, epoch, store, clock, onHostDispatcher), name);
            context.Watch(child);
            _links[peer] = (child, name);
        }
    }

    public void Terminated(string childName, Exception? error)
    {
        var peer = _links.FirstOrDefault(l => l.Value.Name == childName).Key;
        if (peer is null) return; // stopped on purpose
        _links.Remove(peer);
        var failures = _backoff.TryGetValue(peer, out var b) ? b.Failures + 1 : 1;
        var decision = _policy.Decide(childName, error?.Message ?? "stopped", isStorageFailure: false, failures);
        var backoff = decision is ChildFailureDecision.Restart r ? r.Backoff : TimeSpan.FromSeconds(5);
        _backoff[peer] = (failures, clock.NowMs + (long)backoff.TotalMilliseconds);
    }
}
