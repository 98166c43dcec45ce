using HotStandby.Core.Protocol;
using HotStandby.Core.Roles;
using HotStandby.Core.Settings;

namespace HotStandby.Core.Tests;

/// <summary>Small helpers to drive one core by hand with explicit times.</summary>
internal static class CoreFixtures
{
    public const long Interval = 50, Pause = 250, Lease = 150, Election = 250, StableAfter = 1000;

    public static CoreSettings Config(string id, bool witness = false, bool preferred = false,
        FailoverMode mode = FailoverMode.Witness, FailbackMode failback = FailbackMode.Auto, int voters = 3) =>
        new(id, witness, preferred, voters, mode, failback, Interval, Pause, Lease, Election, StableAfter, SwitchoverTimeoutMs: 1000);

    public static NodeCore Started(CoreSettings settings, long epoch = 0, long at = 0, PersistentState? persisted = null)
    {
        var core = new NodeCore(settings, persisted ?? new PersistentState(epoch, null), at);
        core.Handle(Tick.Instance, at);
        return core;
    }

    public static Heartbeat HeartbeatFrom(string from, long epoch, NodeRole role, long sentAt, string? primary = null,
        bool preferred = false, LogPosition log = default) =>
        new(from, epoch, role, primary ?? (role == NodeRole.Primary ? from : null), log, 0, preferred,
            Eligible: role is NodeRole.Standby or NodeRole.Primary, Hears: [], HttpUrl: null, sentAt);

    public static T Single<T>(IEnumerable<ICoreEffect> effects) => effects.OfType<T>().Single();

    /// <summary>Makes a core primary of the next epoch with the witness's vote at <paramref name="at"/>.</summary>
    public static NodeCore Primary(string id, long at, bool preferred = true, FailbackMode failback = FailbackMode.Auto)
    {
        var core = Started(Config(id, preferred: preferred, failback: failback), at: 0);
        core.Handle(Tick.Instance, at); // quiet since start for longer than the pause: pre-vote
        core.Handle(new PreVoteResponse("w", core.Epoch + 1, true, "granted"), at);
        core.Handle(new VoteResponse("w", core.Epoch, true, "granted"), at);
        if (core.Role != NodeRole.Primary) throw new InvalidOperationException($"{id} did not become primary");
        return core;
    }

    public static HeartbeatAck AckOf(Heartbeat hb, string from) => new(from, hb.Epoch, hb.Epoch, hb.SentAtMs, true, LogPosition.Zero);
}
