using HotStandby.Core.Protocol;
using HotStandby.Core.Roles;
using HotStandby.Core.Settings;
using Xunit;
using static HotStandby.Core.Tests.CoreFixtures;

namespace HotStandby.Core.Tests;

/// <summary>The role core's decisions, one situation per row, with explicit times (ms).</summary>
public sealed class NodeCoreDecisionTests
{
    [Theory]
    [InlineData(1000 + Pause - 1, false)]
    [InlineData(1000 + Pause, true)]
    public void Standby_stands_for_election_only_after_the_primary_was_silent_for_acceptable_pause(long tickAt, bool expectPreVote)
    {
        var b = Started(Config("b"), epoch: 3, at: 0);
        b.Handle(HeartbeatFrom("a", 3, NodeRole.Primary, sentAt: 990), 1000);
        var effects = b.Handle(Tick.Instance, tickAt);
        var preVote = effects.OfType<Broadcast>().Select(x => x.Message).OfType<PreVoteRequest>().SingleOrDefault();
        Assert.Equal(expectPreVote, preVote is not null);
        if (preVote is not null) Assert.Equal(4, preVote.Epoch);
        Assert.Equal(3, b.Epoch); // a pre-vote never bumps the epoch
    }

    [Theory]
    [InlineData(1000 + Pause - 1, false, "heard from primary a")]
    [InlineData(1000 + Pause, true, "granted")]
    public void Witness_refuses_to_help_depose_a_primary_it_heard_within_acceptable_pause(long at, bool granted, string reason)
    {
        var w = Started(Config("w", witness: true), epoch: 3, at: 0);
        w.Handle(HeartbeatFrom("a", 3, NodeRole.Primary, sentAt: 990), 1000);
        var response = Single<SendTo>(w.Handle(new PreVoteRequest("b", 4, LogPosition.Zero), at)).Message as PreVoteResponse;
        Assert.Equal(granted, response!.Granted);
        Assert.Contains(reason, response.Reason);
    }

    [Fact]
    public void Voter_records_its_vote_durably_before_answering_and_grants_one_vote_per_epoch()
    {
        var w = Started(Config("w", witness: true), epoch: 3, at: 0);
        var effects = w.Handle(new VoteRequest("b", 4, LogPosition.Zero, Transfer: false), 1000);
        Assert.IsType<PersistState>(effects[0]);
        Assert.Equal(new PersistentState(4, "b"), ((PersistState)effects[0]).State);
        var granted = (VoteResponse)((SendTo)effects[^1]).Message;
        Assert.True(granted.Granted);

        var second = (VoteResponse)Single<SendTo>(w.Handle(new VoteRequest("a", 4, LogPosition.Zero, Transfer: true), 1001)).Message;
        Assert.False(second.Granted);
        Assert.Contains("already voted for b in epoch 4", second.Reason);
    }

    [Fact]
    public void Vote_for_a_candidate_whose_log_is_behind_is_refused()
    {
        var core = new NodeCore(Config("b"), new PersistentState(3, null), 0, lastLog: new LogPosition(3, 10));
        core.Handle(Tick.Instance, 0);
        var response = (VoteResponse)Single<SendTo>(core.Handle(new VoteRequest("a", 4, new LogPosition(3, 9), false), 1000)).Message;
        Assert.False(response.Granted);
        Assert.Contains("behind", response.Reason);
    }

    [Fact]
    public void Candidate_persists_its_new_epoch_and_own_vote_before_asking()
    {
        var b = Started(Config("b"), epoch: 3, at: 0);
        b.Handle(Tick.Instance, 1000);
        var effects = b.Handle(new PreVoteResponse("w", 4, true, "granted"), 1001);
        Assert.Equal(new PersistentState(4, "b"), ((PersistState)effects[0]).State);
        Assert.IsType<VoteRequest>(((Broadcast)effects[1]).Message);
    }

    [Fact]
    public void New_primary_serves_writes_only_after_a_majority_acked_a_heartbeat_sent_as_primary()
    {
        var a = Primary("a", at: 1000);
        Assert.False(a.CanServeWrites(1000));
        var hb = a.HeartbeatFor(sentAtMs: 1010, nowMs: 1010);
        a.Handle(AckOf(hb, "w"), 1012);
        Assert.True(a.CanServeWrites(1012));
        Assert.True(a.CanServeWrites(1010 + Lease - 1));
        Assert.False(a.CanServeWrites(1010 + Lease));
    }

    [Fact]
    public void Primary_without_majority_acks_demotes_itself_when_its_lease_ends()
    {
        var a = Primary("a", at: 1000);
        a.Handle(AckOf(a.HeartbeatFor(1010, 1010), "w"), 1012);
        Assert.Empty(a.Handle(Tick.Instance, 1010 + Lease - 1).OfType<RoleChanged>());
        var change = Single<RoleChanged>(a.Handle(Tick.Instance, 1010 + Lease)).Change;
        Assert.Equal((NodeRole.Primary, NodeRole.Standby), (change.From, change.To));
        Assert.Contains("lost majority", change.Reason);
        Assert.True(Lease < Pause, "the lease must end before a standby may promote");
    }

    [Fact]
    public void Acks_for_heartbeats_sent_before_the_election_do_not_extend_the_lease()
    {
        var a = Primary("a", at: 1000);
        a.Handle(new HeartbeatAck("w", a.Epoch, a.Epoch, EchoSentAtMs: 990, Accepted: true, LogPosition.Zero), 1001);
        Assert.False(a.CanServeWrites(1001));
    }

    [Fact]
    public void Primary_steps_down_on_a_heartbeat_from_a_higher_epoch()
    {
        var a = Primary("a", at: 1000);
        var effects = a.Handle(HeartbeatFrom("b", a.Epoch + 1, NodeRole.Primary, sentAt: 5), 1100);
        Assert.Equal(NodeRole.Standby, a.Role);
        Assert.Equal(new PersistentState(a.Epoch, null), ((PersistState)effects[0]).State);
        Assert.Equal("b", a.PrimaryId);
    }

    [Fact]
    public void Winning_the_election_names_the_evidence()
    {
        var b = Started(Config("b"), epoch: 3, at: 0);
        b.Handle(HeartbeatFrom("a", 3, NodeRole.Primary, 990), 1000);
        b.Handle(Tick.Instance, 1412);
        b.Handle(new PreVoteResponse("w", 4, true, "granted"), 1413);
        var change = Single<RoleChanged>(b.Handle(new VoteResponse("w", 4, true, "granted"), 1414)).Change;
        Assert.Equal("[standby -> primary] epoch 4: primary a unreachable for 412 ms, w voted", change.ToLogLine());
    }

    [Fact]
    public void Two_node_mode_promotes_alone_after_the_pause()
    {
        var b = Started(Config("b", mode: FailoverMode.TwoNode, voters: 2), epoch: 5, at: 0);
        b.Handle(HeartbeatFrom("a", 5, NodeRole.Primary, 990), 1000);
        Assert.Equal(NodeRole.Standby, b.Role);
        var effects = b.Handle(Tick.Instance, 1000 + Pause);
        Assert.Equal(new PersistentState(6, "b"), ((PersistState)effects[0]).State);
        Assert.Equal(NodeRole.Primary, b.Role);
        Assert.True(b.CanServeWrites(1000 + Pause));
    }

    [Fact]
    public void Off_mode_never_promotes_after_the_first_start()
    {
        var b = Started(Config("b", mode: FailoverMode.Off), epoch: 5, at: 0);
        b.Handle(HeartbeatFrom("a", 5, NodeRole.Primary, 990), 1000);
        foreach (var t in new long[] { 2000, 10_000, 100_000 })
            Assert.Empty(b.Handle(Tick.Instance, t).OfType<Broadcast>());
        Assert.Equal(NodeRole.Standby, b.Role);
    }

    [Theory]
    [InlineData(FailbackMode.Auto, true)]
    [InlineData(FailbackMode.Manual, false)]
    [InlineData(FailbackMode.Off, false)]
    public void Failback_hands_over_to_the_preferred_node_after_stable_after_only_in_auto(FailbackMode mode, bool handsOver)
    {
        var b = Primary("b", at: 1000, preferred: false, failback: mode);
        var handedOver = false;
        for (var t = 1010L; t <= 1010 + StableAfter + 100; t += 25)
        {
            var hb = b.HeartbeatFor(t, t);
            b.Handle(AckOf(hb, "w"), t);
            b.Handle(HeartbeatFrom("a", b.Epoch, NodeRole.Standby, t, primary: "b", preferred: true), t);
            var effects = b.Handle(Tick.Instance, t);
            if (effects.OfType<SendTo>().Any(s => s.Message is TimeoutNow { } tn && s.NodeId == "a"))
            {
                handedOver = true;
                Assert.True(t - 1010 >= StableAfter, $"handed over after {t - 1010} ms");
                break;
            }
        }
        Assert.Equal(handsOver, handedOver);
        Assert.Equal(handsOver ? NodeRole.Standby : NodeRole.Primary, b.Role);
        if (mode == FailbackMode.Manual) Assert.Contains("manual", b.Status(2200).FailbackPending);
    }

    [Fact]
    public void Hand_over_target_stands_at_once_and_voters_grant_a_transfer_despite_a_recent_primary()
    {
        var a = Started(Config("a", preferred: true), epoch: 7, at: 0);
        a.Handle(HeartbeatFrom("b", 7, NodeRole.Primary, 990), 1000);
        var effects = a.Handle(new TimeoutNow("b", 7, "failback"), 1001);
        var request = (VoteRequest)Single<Broadcast>(effects).Message;
        Assert.True(request.Transfer);
        Assert.Equal(8, request.Epoch);

        var w = Started(Config("w", witness: true), epoch: 7, at: 0);
        w.Handle(HeartbeatFrom("b", 7, NodeRole.Primary, 990), 1000);
        var vote = (VoteResponse)w.Handle(request, 1002).OfType<SendTo>().Single().Message;
        Assert.True(vote.Granted);
    }

    [Fact]
    public void A_restarted_voter_waits_acceptable_pause_before_voting()
    {
        var w = Started(Config("w", witness: true), epoch: 3, at: 5000);
        var early = (VoteResponse)Single<SendTo>(w.Handle(new VoteRequest("b", 4, LogPosition.Zero, false), 5000 + Pause - 1)).Message;
        Assert.False(early.Granted);
        Assert.Contains("started", early.Reason);
        var later = (VoteResponse)Single<SendTo>(w.Handle(new VoteRequest("b", 4, LogPosition.Zero, false), 5000 + Pause)).Message;
        Assert.True(later.Granted);
    }

    [Fact]
    public void Storage_failure_fences_a_primary()
    {
        var a = Primary("a", at: 1000);
        var change = Single<RoleChanged>(a.Handle(new StorageFailed("disk full"), 1001)).Change;
        Assert.Equal(NodeRole.Faulted, change.To);
        Assert.False(a.CanServeWrites(1001));
        var vote = (VoteResponse)Single<SendTo>(a.Handle(new VoteRequest("b", a.Epoch + 1, LogPosition.Zero, true), 5000)).Message;
        Assert.False(vote.Granted);
    }

    [Fact]
    public void Switchover_is_refused_with_a_reason_when_no_healthy_standby_is_known()
    {
        var a = Primary("a", at: 1000);
        var result = Single<CommandResult>(a.Handle(new SwitchoverCommand(null, "test"), 1001));
        Assert.False(result.Accepted);
        Assert.Contains("no healthy standby", result.Message);
        var unknown = Single<CommandResult>(a.Handle(new SwitchoverCommand("zz", "test"), 1001));
        Assert.Contains("unknown node 'zz'", unknown.Message);
    }
}

public sealed class OperatorPromotionTests
{
    [Fact]
    public void In_off_mode_an_operator_can_make_a_standby_stand_when_no_primary_is_known()
    {
        var b = Started(Config("b", mode: FailoverMode.Off), epoch: 5, at: 0);
        Assert.Empty(b.Handle(Tick.Instance, 10_000).OfType<Broadcast>()); // never by itself
        var effects = b.Handle(new SwitchoverCommand(null, "operator switchover"), 10_001);
        Assert.True(Single<CommandResult>(effects).Accepted);
        Assert.Equal(6, ((PreVoteRequest)Single<Broadcast>(effects).Message).Epoch);
    }

    [Fact]
    public void Operator_promotion_is_refused_while_a_primary_is_heard()
    {
        var b = Started(Config("b", mode: FailoverMode.Off), epoch: 5, at: 0);
        b.Handle(HeartbeatFrom("a", 5, NodeRole.Primary, 990), 1000);
        var result = Single<CommandResult>(b.Handle(new SwitchoverCommand("b", "operator switchover"), 1100));
        Assert.False(result.Accepted);
        Assert.Contains("follows primary a", result.Message);
    }
}
