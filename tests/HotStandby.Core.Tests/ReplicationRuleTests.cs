using System.Text;
using HotStandby.Core.Data;
using HotStandby.Core.Protocol;
using HotStandby.Core.Replication;
using HotStandby.Core.Roles;
using HotStandby.Core.Settings;
using Xunit;
using static HotStandby.Core.Tests.CoreFixtures;

namespace HotStandby.Core.Tests;

public sealed class ReplicationRuleTests
{
    private sealed class FakeLog(long snapshotIndex, params long[] epochs) : ILogView
    {
        private readonly EpochHistory _history = Build(snapshotIndex, epochs);
        public long LastIndex => snapshotIndex + epochs.Length;
        public long SnapshotIndex => snapshotIndex;
        public long EpochAt(long index) => _history.EpochAt(index);
        public long FirstIndexOfEpochAt(long index) => _history.FirstIndexOfEpochAt(index);

        private static EpochHistory Build(long snapshotIndex, long[] epochs)
        {
            var h = new EpochHistory();
            for (var i = 0; i < epochs.Length; i++) h.Note(epochs[i], snapshotIndex + 1 + i);
            return h;
        }
    }

    private static List<LogEntry> Entries(long firstIndex, params long[] epochs) =>
        epochs.Select((e, i) => new LogEntry(e, firstIndex + i, EntryKind.Put, "k", [1])).ToList();

    [Fact]
    public void Append_after_the_end_of_the_log_is_refused_with_where_to_resume()
    {
        var plan = FollowerAppend.Decide(new FakeLog(0, 1, 1, 1), prevEpoch: 1, prevIndex: 5, Entries(6, 1));
        Assert.Equal(4, Assert.IsType<AppendPlan.Reject>(plan).NextIndex);
    }

    [Fact]
    public void Mismatched_previous_epoch_backs_up_to_the_start_of_that_epoch()
    {
        // local: 1 1 2 2 2 (epoch 2 from a deposed primary); the primary's entry 4 is of epoch 3
        var plan = FollowerAppend.Decide(new FakeLog(0, 1, 1, 2, 2, 2), prevEpoch: 3, prevIndex: 4, Entries(5, 3));
        Assert.Equal(3, Assert.IsType<AppendPlan.Reject>(plan).NextIndex);
    }

    [Fact]
    public void Conflicting_entries_are_truncated_from_the_first_difference_and_matching_ones_skipped()
    {
        var plan = FollowerAppend.Decide(new FakeLog(0, 1, 1, 2, 2, 2), prevEpoch: 1, prevIndex: 2, Entries(3, 2, 3, 3));
        var accept = Assert.IsType<AppendPlan.Accept>(plan);
        Assert.Equal(4, accept.TruncateFrom);
        Assert.Equal([4L, 5L], accept.Append.Select(e => e.Index));
        Assert.Equal(5, accept.MatchIndex);
    }

    [Fact]
    public void Entries_already_held_are_not_truncated_by_a_late_duplicate()
    {
        var plan = FollowerAppend.Decide(new FakeLog(0, 1, 1, 1, 1), prevEpoch: 1, prevIndex: 1, Entries(2, 1));
        var accept = Assert.IsType<AppendPlan.Accept>(plan);
        Assert.Null(accept.TruncateFrom);
        Assert.Empty(accept.Append);
        Assert.Equal(2, accept.MatchIndex);
    }

    [Fact]
    public void Entries_inside_the_snapshot_are_skipped()
    {
        var plan = FollowerAppend.Decide(new FakeLog(10, 2), prevEpoch: 1, prevIndex: 8, Entries(9, 1, 1, 2, 2));
        var accept = Assert.IsType<AppendPlan.Accept>(plan);
        Assert.Null(accept.TruncateFrom);
        Assert.Equal([12L], accept.Append.Select(e => e.Index));
    }

    [Theory]
    [InlineData(ReplicationMode.Sync, false, 10, 7, 7)]   // sync waits for the standby
    [InlineData(ReplicationMode.Sync, true, 10, 7, 10)]   // excused standby: the primary commits alone
    [InlineData(ReplicationMode.Async, false, 10, 7, 10)] // async: the primary's own fsync is enough
    [InlineData(ReplicationMode.Sync, false, 10, 3, 4)]   // never below the current commit point
    public void Commit_point_follows_the_mode(ReplicationMode mode, bool excused, long durable, long match, long expected)
    {
        Assert.Equal(expected, CommitRule.Commit(mode, current: 4, durable, match, excused, epochStartIndex: 2));
    }

    [Fact]
    public void Nothing_commits_before_the_epochs_first_entry()
    {
        Assert.Equal(4, CommitRule.Commit(ReplicationMode.Sync, current: 4, localDurable: 9, standbyMatch: 6, false, epochStartIndex: 8));
        Assert.Equal(8, CommitRule.Commit(ReplicationMode.Sync, current: 4, localDurable: 9, standbyMatch: 8, false, epochStartIndex: 8));
    }

    [Theory]
    [InlineData(ReplicationMode.Sync, OnSyncTimeout.Degrade, true, 1200, 5, 9, EligibilityDecision.MarkNotEligible)]
    [InlineData(ReplicationMode.Sync, OnSyncTimeout.Degrade, true, 900, 5, 9, EligibilityDecision.Keep)]
    [InlineData(ReplicationMode.Sync, OnSyncTimeout.Block, true, 5000, 5, 9, EligibilityDecision.Keep)]
    [InlineData(ReplicationMode.Async, OnSyncTimeout.Degrade, true, 5000, 5, 9, EligibilityDecision.Keep)]
    [InlineData(ReplicationMode.Sync, OnSyncTimeout.Degrade, false, 5000, 8, 9, EligibilityDecision.Keep)]
    [InlineData(ReplicationMode.Sync, OnSyncTimeout.Degrade, false, 0, 9, 9, EligibilityDecision.MarkEligible)]
    public void Sync_policy_degrades_after_the_timeout_and_restores_a_caught_up_standby(ReplicationMode mode, OnSyncTimeout onTimeout,
        bool eligible, long ageMs, long match, long last, EligibilityDecision expected)
    {
        Assert.Equal(expected, SyncPolicy.Decide(mode, onTimeout, eligible, ageMs, syncTimeoutMs: 1000, match, last));
    }

    [Fact]
    public void Lag_is_the_age_of_the_oldest_unconfirmed_entry()
    {
        var lag = new ReplicationLag();
        lag.Appended(5, 100);
        lag.Appended(9, 130);
        Assert.Equal(70, lag.LagMs(170));
        lag.Confirmed(5);
        Assert.Equal(40, lag.LagMs(170));
        lag.Confirmed(9);
        Assert.Equal(0, lag.LagMs(170));
    }

    [Fact]
    public void Epoch_history_answers_for_any_index_and_forgets_a_truncated_suffix()
    {
        var h = new EpochHistory([(1, 1), (3, 10), (4, 20)]);
        Assert.Equal(0, h.EpochAt(0));
        Assert.Equal(1, h.EpochAt(9));
        Assert.Equal(3, h.EpochAt(19));
        Assert.Equal(10, h.FirstIndexOfEpochAt(15));
        h.TruncateFrom(15);
        Assert.Equal(3, h.EpochAt(25));
        Assert.Throws<InvalidOperationException>(() => h.Note(2, 30));
    }

    [Fact]
    public void Codec_round_trips_every_kind()
    {
        foreach (var e in new[]
                 {
                     new LogEntry(7, 42, EntryKind.Put, "ключ/✓", Encoding.UTF8.GetBytes("value")),
                     new LogEntry(7, 43, EntryKind.Delete, "k", null),
                     LogEntry.Noop(8, 44),
                     new LogEntry(8, 45, EntryKind.Put, "empty", []),
                 })
        {
            var buffer = new byte[LogEntryCodec.SizeOf(e)];
            Assert.Equal(buffer.Length, LogEntryCodec.Write(e, buffer));
            var back = LogEntryCodec.Read(buffer, out var consumed);
            Assert.Equal(buffer.Length, consumed);
            Assert.Equal((e.Epoch, e.Index, e.Kind, e.Key), (back.Epoch, back.Index, back.Kind, back.Key));
            Assert.Equal(e.Value, back.Value);
        }
    }

    [Theory]
    [InlineData("", "empty key")]
    [InlineData("a\u0001b", "control character")]
    public void Bad_keys_are_named(string key, string problem)
    {
        Assert.Contains(problem, KeyRules.KeyProblem(key, 16));
        Assert.Contains("max-key-bytes", KeyRules.KeyProblem(new string('x', 17), 16));
        Assert.Null(KeyRules.KeyProblem("ok/key ✓", 16));
        Assert.Contains("not valid UTF-8", KeyRules.KeyProblem(new string([(char)0xD800, 'x']), 16));
    }
}

/// <summary>Degraded sync: the witness must know a standby is not eligible before the primary commits without it.</summary>
public sealed class EligibilityTests
{
    [Fact]
    public void Primary_commits_without_the_standby_only_after_a_voter_echoed_the_exclusion()
    {
        var a = Primary("a", at: 1000);
        a.Handle(new StandbyEligibility("b", false, "sync timed out"), 1100);
        Assert.Contains("b", a.NotEligible);
        Assert.False(a.StandbyExcused("b"));

        var hb = a.HeartbeatFor(1110, 1110);
        Assert.Equal(["b"], hb.NotEligible);
        var w = Started(Config("w", witness: true), epoch: a.Epoch, at: 0);
        var ack = w.Handle(hb, 1111).OfType<SendTo>().Select(s => s.Message).OfType<HeartbeatAck>().Single();
        Assert.Equal(["b"], ack.NotEligible);

        a.Handle(ack, 1112);
        Assert.True(a.StandbyExcused("b"));
    }

    [Fact]
    public void The_excluded_standbys_own_echo_does_not_excuse_it()
    {
        var a = Primary("a", at: 1000);
        a.Handle(new StandbyEligibility("b", false, "sync timed out"), 1100);
        var hb = a.HeartbeatFor(1110, 1110);
        var b = Started(Config("b"), epoch: a.Epoch, at: 0);
        var ack = b.Handle(hb, 1111).OfType<SendTo>().Select(s => s.Message).OfType<HeartbeatAck>().Single();
        Assert.Equal(["b"], ack.NotEligible);
        a.Handle(ack, 1112);
        Assert.False(a.StandbyExcused("b")); // b knows, but a restarted b would forget: the witness must know
    }

    [Fact]
    public void Witness_refuses_to_elect_a_standby_the_primary_marked_not_eligible()
    {
        var w = Started(Config("w", witness: true), epoch: 4, at: 0);
        w.Handle(HeartbeatFrom("a", 4, NodeRole.Primary, 990) with { NotEligible = ["b"] }, 1000);
        // a dies; long after the pause b asks
        var pre = w.Handle(new PreVoteRequest("b", 5, new LogPosition(4, 100)), 5000).OfType<SendTo>().Single().Message;
        var refusal = Assert.IsType<PreVoteResponse>(pre);
        Assert.False(refusal.Granted);
        Assert.Contains("not eligible", refusal.Reason);
        var vote = Assert.IsType<VoteResponse>(w.Handle(new VoteRequest("b", 5, new LogPosition(4, 100), Transfer: false), 5001)
            .OfType<SendTo>().Single().Message);
        Assert.False(vote.Granted);
    }

    /// <summary>
    /// Regression (chaos run, seed 20261124): a restarted witness's first heartbeats say "starting"; the primary took it
    /// for a data node, made it its standby, excused it after the sync timeout and committed alone while the real
    /// standby, still eligible, lacked the writes. It was then promoted and acknowledged writes were lost.
    /// </summary>
    [Fact]
    public void A_restarting_witness_is_never_taken_for_a_standby()
    {
        var a = Primary("a", at: 1000);
        var restartingWitness = new NodeCore(Config("w", witness: true), new PersistentState(a.Epoch, "a"), 1000);
        Assert.Equal(NodeRole.Starting, restartingWitness.Role);
        a.Handle(restartingWitness.HeartbeatFor(1010, 1010), 1011);
        a.Handle(Started(Config("b"), epoch: a.Epoch).HeartbeatFor(1012, 1012), 1013);
        Assert.Equal(["b"], a.DataPeerIds);
        Assert.Equal(["b"], a.DownDataPeerIds(5000));
    }

    /// <summary>
    /// Regression (chaos run, seed 815482669): the witness echoed that a was not eligible, b committed alone, the
    /// witness was killed and restarted with an empty list, b lost its majority, and the witness elected a, whose log
    /// lacked b's acknowledged writes. A voter now records the list durably before it echoes it.
    /// </summary>
    [Fact]
    public void A_voter_records_the_exclusion_before_echoing_it_and_still_refuses_after_a_restart()
    {
        var w = Started(Config("w", witness: true), epoch: 4, at: 0);
        var effects = w.Handle(HeartbeatFrom("b", 4, NodeRole.Primary, 990) with { NotEligible = ["a"] }, 1000);
        var persisted = effects.OfType<PersistState>().Single().State;
        Assert.Equal(["a"], persisted.NotEligible);
        var persistAt = effects.ToList().FindIndex(e => e is PersistState);
        var echoAt = effects.ToList().FindIndex(e => e is SendTo { Message: HeartbeatAck });
        Assert.True(persistAt < echoAt, "the exclusion must be on disk before the primary hears the echo");

        var restarted = Started(Config("w", witness: true), epoch: persisted.Epoch, at: 0, persisted: persisted);
        var vote = Assert.IsType<VoteResponse>(restarted.Handle(new VoteRequest("a", 5, new LogPosition(4, 100), Transfer: false), 5000)
            .OfType<SendTo>().Single().Message);
        Assert.False(vote.Granted);
        Assert.Contains("not eligible", vote.Reason);
    }

    /// <summary>
    /// Regression (CI chaos run, seed 932396863, after the fix above): "any standby" never covers the primary that sent
    /// the list; the restarted witness had forgotten who that was, refused a as well, and no one could be elected.
    /// </summary>
    [Fact]
    public void After_a_restart_any_standby_still_exempts_the_primary_that_sent_it()
    {
        var w = Started(Config("w", witness: true), epoch: 4, at: 0);
        var persisted = w.Handle(HeartbeatFrom("a", 4, NodeRole.Primary, 990) with { NotEligible = [NodeCore.AnyStandby] }, 1000)
            .OfType<PersistState>().Single().State;
        Assert.Equal("a", persisted.NotEligibleFrom);
        var restarted = Started(Config("w", witness: true), epoch: persisted.Epoch, at: 0, persisted: persisted);
        VoteResponse Ask(string candidate, long epoch) => Assert.IsType<VoteResponse>(restarted
            .Handle(new VoteRequest(candidate, epoch, new LogPosition(4, 100), Transfer: false), 5000 + epoch).OfType<SendTo>().Single().Message);
        Assert.False(Ask("b", 5).Granted);
        Assert.True(Ask("a", 6).Granted, "the primary that excused 'any standby' may be elected again");
    }

    /// <summary>
    /// Regression (CI chaos run, seed 932396863): a primary that excused "any standby" and then lost its majority took
    /// its own wildcard as covering itself and never stood again, while the voters refused everyone else.
    /// </summary>
    [Fact]
    public void A_primary_that_excused_any_standby_stands_again_after_losing_its_majority()
    {
        var a = Primary("a", at: 1000);
        a.Handle(new StandbyEligibility(NodeCore.AnyStandby, false, "sync timed out"), 1100);
        a.Handle(Tick.Instance, 1400); // no acks: the lease lapses
        Assert.Equal(NodeRole.Standby, a.Role);
        Assert.NotEmpty(a.Handle(Tick.Instance, 5000).OfType<Broadcast>());
    }

    [Fact]
    public void An_excluded_standby_does_not_stand_and_becomes_eligible_when_the_primary_says_so()
    {
        var b = Started(Config("b"), epoch: 4, at: 0);
        b.Handle(HeartbeatFrom("a", 4, NodeRole.Primary, 990) with { NotEligible = ["b"] }, 1000);
        Assert.False(b.HeartbeatFor(1001, 1001).Eligible);
        Assert.Empty(b.Handle(Tick.Instance, 5000).OfType<Broadcast>());
        b.Handle(HeartbeatFrom("a", 4, NodeRole.Primary, 5990), 6000);
        Assert.True(b.HeartbeatFor(6001, 6001).Eligible);
    }
}

/// <summary>A planned hand-over compares the standby with the log the store reports final once it stopped taking writes.</summary>
public sealed class SwitchoverSealTests
{
    private static bool HandsOver(IEnumerable<ICoreEffect> effects) => effects.OfType<SendTo>().Any(s => s.Message is TimeoutNow);

    [Fact]
    public void Switchover_waits_for_the_sealed_log_and_for_the_standby_to_hold_it()
    {
        var a = Primary("a", at: 1000);
        a.UpdateLog(new LogPosition(a.Epoch, 10), 10);
        a.Handle(HeartbeatFrom("b", a.Epoch, NodeRole.Standby, 1090, primary: "a", log: new LogPosition(a.Epoch, 10)), 1100);

        Assert.False(HandsOver(a.Handle(new SwitchoverCommand("b", "test"), 1101))); // the core's log may be stale
        Assert.Equal(NodeRole.Demoting, a.Role);
        a.UpdateLog(new LogPosition(a.Epoch, 12), 12, sealedForHandover: true); // two writes were still in flight
        Assert.False(HandsOver(a.Handle(Tick.Instance, 1110)));                 // b holds only 10
        a.Handle(HeartbeatFrom("b", a.Epoch, NodeRole.Standby, 1115, primary: "a", log: new LogPosition(a.Epoch, 12)), 1120);
        Assert.True(HandsOver(a.Handle(Tick.Instance, 1121)));
        Assert.Equal(NodeRole.Standby, a.Role);
    }
}

public sealed class StandbyProgressTests
{
    [Theory]
    [InlineData(5, 5, 5, NodeRole.Standby, null)]                            // the primary of the recorded epoch
    [InlineData(3, 4, 4, NodeRole.Standby, "below this node's 4")]           // a deposed primary's entries
    [InlineData(5, 4, 4, NodeRole.Standby, "not yet recorded here")]         // wait until the epoch is durable here
    [InlineData(4, 4, 4, NodeRole.Primary, "this node is primary")]
    [InlineData(4, 4, 4, NodeRole.Faulted, "this node is faulted")]
    public void Follower_takes_entries_only_from_the_primary_of_its_recorded_epoch(long entries, long known, long recorded,
        NodeRole role, string? refusal)
    {
        var why = StandbyProgress.FollowerRefusal(entries, known, recorded, role, actingAsPrimary: false);
        if (refusal is null) Assert.Null(why);
        else Assert.Contains(refusal, why);
    }

    [Theory]
    [InlineData(true, 100, 90, 50, 20, 1000, true)]
    [InlineData(false, 100, 100, 0, 20, 1000, false)]   // excused: not caught up whatever its position
    [InlineData(true, 100, 70, 50, 20, 1000, false)]    // more than a window behind
    [InlineData(true, 100, 95, 1500, 20, 1000, false)]  // not confirming within sync-timeout
    public void Caught_up_means_eligible_within_one_window_and_confirming(bool eligible, long last, long match, long lagMs,
        long window, long syncTimeout, bool expected)
    {
        Assert.Equal(expected, StandbyProgress.CaughtUp(eligible, last, match, lagMs, window, syncTimeout));
    }
}
