using HotStandby.Chaos.Checking;
using HotStandby.Chaos.Faults;
using HotStandby.Chaos.Workload;
using Xunit;

namespace HotStandby.Chaos.Tests;

/// <summary>Each check of the chaos checker against a small hand-made history: clean passes, each broken guarantee fails.</summary>
public class HistoryCheckerTests
{
    private readonly List<OpRecord> _ops = [];
    private readonly List<StatusSample> _samples = [];
    private readonly Dictionary<string, string> _primaryValues = new();
    private readonly HashSet<(long, long)> _bDiverged = [];
    private long _lastHeal = 1_000;
    private bool _sync = true;

    private OpRecord Ack(string key, string node, long epoch, long index, long start, long end, bool onPrimary = true)
    {
        var w = new OpRecord(OpKind.Write, 0, key, $"v-{key}", start, end, Outcome.Ok, node, epoch, index, 200, 1);
        _ops.Add(w);
        if (onPrimary) _primaryValues[key] = w.Value;
        return w;
    }

    /// <param name="epoch">the serving primary's epoch; the write's when not given</param>
    private void Read(OpRecord of, string node, long applied, long start, long end, bool found = true, bool byPrimary = true, long? epoch = null) =>
        _ops.Add(new OpRecord(OpKind.Read, 100, of.Key, found ? of.Value : "", start, end, found ? Outcome.Ok : Outcome.NotFound,
            node, epoch ?? of.Epoch, applied, found ? 200 : 404, 1, byPrimary));

    private CheckReport Check()
    {
        var a = new NodeData("a", 10, [(1, 1), (2, 6), (3, 8)], _primaryValues, new HashSet<(long, long)>(), new HashSet<string>());
        var b = new NodeData("b", 10, [(1, 1), (2, 6), (3, 8)], _primaryValues, _bDiverged, new HashSet<string>());
        var fault = new AppliedFault(new Fault(1, FaultKind.Kill, 100, 400, "b", []), 100, _lastHeal);
        return HistoryChecker.Check(new CheckInput(_ops, _samples, [fault], _lastHeal, "a", new Dictionary<string, NodeData> { ["a"] = a, ["b"] = b }, 5_000, _sync));
    }

    private void CleanHistory()
    {
        var k1 = Ack("k1", "a", 1, 2, 0, 10);
        Ack("k2", "a", 1, 3, 5, 20); // overlaps k1: either order is fine
        Ack("k3", "b", 2, 7, 30, 40);
        Read(k1, "b", 7, 45, 50);
        Ack("k4", "a", 3, 8, 1_100, 1_150); // after the last heal
        _samples.Add(new StatusSample(60, "b", "primary", 2, 2, 7, 7, true));
        _samples.Add(new StatusSample(70, "a", "standby", 2, 2, 7, 7, false));
    }

    [Fact]
    public void A_clean_history_passes_and_reports_its_figures()
    {
        CleanHistory();
        var report = Check();
        Assert.True(report.Passed, report.Render());
        Assert.Equal((4, 4, 0, 1), (report.Writes, report.Acked, report.Lost, report.PrimaryReads));
        Assert.Equal(150, report.FinalRecoveryMs);
        Assert.Equal(1_000 - 100 + 150, report.Recoveries.Single().LongestWriteGapMs);
        Assert.Contains("verdict: PASS", report.Render());
    }

    [Fact]
    public void An_acknowledged_write_missing_on_the_final_primary_is_lost_in_sync_mode_and_only_counted_in_async()
    {
        CleanHistory();
        Ack("gone", "a", 3, 9, 1_200, 1_210, onPrimary: false);
        var report = Check();
        Assert.Equal(1, report.Lost);
        Assert.Contains(report.Violations, v => v.Kind == "lost-write" && v.Detail.Contains("gone acknowledged by a at 3:9"));
        _sync = false;
        var asyncReport = Check();
        Assert.Equal(1, asyncReport.Lost);
        Assert.True(asyncReport.Passed, asyncReport.Render());
    }

    [Fact]
    public void An_older_epoch_acknowledging_after_a_newer_one_is_a_split_brain_interval()
    {
        CleanHistory();
        Ack("late", "a", 1, 6, 41, 60); // epoch 1 acknowledged after b's epoch-2 write ended at 40
        var report = Check();
        Assert.Equal([(40L, 60L)], report.SplitBrainIntervals);
        Assert.Contains(report.Violations, v => v.Kind == "split-brain" && v.Detail.Contains("a acknowledged late at 1:6"));
    }

    [Fact]
    public void Overlapping_writes_under_different_epochs_are_not_a_split_brain()
    {
        CleanHistory();
        Ack("overlap", "a", 1, 6, 25, 35); // overlaps k3 (30..40) in real time: no order between them
        Assert.True(Check().Passed);
    }

    [Fact]
    public void Two_nodes_acknowledging_in_one_epoch_is_a_split_brain()
    {
        CleanHistory();
        Ack("twin", "a", 3, 9, 1_300, 1_310);
        Ack("twin2", "b", 3, 10, 1_300, 1_310);
        Assert.Contains(Check().Violations, v => v.Kind == "split-brain" && v.Detail.Contains("epoch 3 acknowledged writes from a and b"));
    }

    [Fact]
    public void A_lower_index_in_the_same_epoch_after_a_higher_one_breaks_the_order()
    {
        CleanHistory();
        Ack("back", "b", 2, 6, 45, 50);
        Assert.Contains(Check().Violations, v => v.Kind == "order");
    }

    [Fact]
    public void A_position_a_node_held_that_the_primary_lacks_must_be_in_its_diverged_files()
    {
        CleanHistory();
        _samples.Add(new StatusSample(80, "b", "primary", 3, 3, 11, 10, false)); // b held 3:11; the final log ends at 10
        Assert.Contains(Check().Violations, v => v.Kind == "discarded" && v.Detail.Contains("b held entry 3:11"));
        _bDiverged.Add((3, 11));
        Assert.True(Check().Passed);
    }

    [Fact]
    public void A_position_whose_epoch_differs_from_the_final_log_is_discarded_unless_listed()
    {
        CleanHistory();
        _samples.Add(new StatusSample(80, "b", "primary", 1, 1, 7, 7, true)); // the final log has epoch 2 at index 7
        Assert.Contains(Check().Violations, v => v.Kind == "discarded" && v.Detail.Contains("has epoch 2 there"));
    }

    [Fact]
    public void A_primary_read_missing_an_acknowledged_key_is_stale_but_a_standby_read_is_not_judged()
    {
        CleanHistory();
        var k2 = _ops.First(o => o.Key == "k2");
        Read(k2, "b", 7, 50, 55, found: false, byPrimary: false);
        Assert.True(Check().Passed);
        Read(k2, "b", 7, 56, 60, found: false);
        Assert.Contains(Check().Violations, v => v.Kind == "stale-read" && v.Detail.Contains("answered 404 for k2"));
    }

    [Fact]
    public void A_read_whose_write_had_not_finished_may_miss_it()
    {
        CleanHistory();
        var k4 = _ops.First(o => o.Key == "k4");
        Read(k4, "a", 7, 1_120, 1_130, found: false);
        Assert.True(Check().Passed);
    }

    [Fact]
    public void The_applied_index_of_primary_reads_never_goes_back()
    {
        CleanHistory();
        var k1 = _ops.First(o => o.Key == "k1");
        Read(k1, "b", 6, 60, 65);
        Assert.Contains(Check().Violations, v => v.Kind == "read-went-back" && v.Detail.Contains("applied index 6"));
    }

    [Fact]
    public void In_async_mode_a_later_epochs_primary_may_miss_an_earlier_write_and_serve_from_a_lower_index()
    {
        CleanHistory();
        var lostWrite = Ack("tail", "b", 2, 9, 41, 42, onPrimary: false); // b's last write, lost when a took over in epoch 3
        Read(lostWrite, "b", 9, 51, 52); // b served it at applied 9
        Read(lostWrite, "a", 8, 1_200, 1_210, found: false, epoch: 3); // a, at epoch 3, never had it
        _sync = false;
        Assert.True(Check().Passed, Check().Render());
        _sync = true;
        var violations = Check().Violations;
        Assert.Contains(violations, v => v.Kind == "stale-read" && v.Detail.Contains("answered 404 for tail"));
        Assert.Contains(violations, v => v.Kind == "read-went-back" && v.Detail.Contains("applied index 8"));
    }

    [Fact]
    public void In_async_mode_a_primary_still_may_not_miss_its_own_epochs_write_or_go_back_within_its_epoch()
    {
        CleanHistory();
        _sync = false;
        var k3 = _ops.First(o => o.Key == "k3"); // acknowledged by b in epoch 2
        Read(k3, "b", 7, 45, 46, found: false); // b, still in epoch 2
        Assert.Contains(Check().Violations, v => v.Kind == "stale-read" && v.Detail.Contains("answered 404 for k3"));
        _ops.RemoveAt(_ops.Count - 1);
        var k1 = _ops.First(o => o.Key == "k1");
        Read(k1, "b", 6, 60, 65); // the same epoch's primary served at applied 7 before (the clean history's read)
        Assert.Contains(Check().Violations, v => v.Kind == "read-went-back" && v.Detail.Contains("applied index 6"));
    }

    [Fact]
    public void A_node_reporting_a_lower_epoch_later_is_flagged()
    {
        CleanHistory();
        _samples.Add(new StatusSample(90, "a", "standby", 1, 2, 7, 7, false));
        Assert.Contains(Check().Violations, v => v.Kind == "epoch-went-back" && v.Detail.Contains("a reported epoch 1"));
    }

    [Fact]
    public void No_write_after_the_last_heal_or_a_late_one_fails_the_run()
    {
        CleanHistory();
        _lastHeal = 2_000;
        Assert.Contains(Check().Violations, v => v.Kind == "no-recovery");
        Ack("slow", "a", 3, 9, 2_100, 7_500);
        Assert.Contains(Check().Violations, v => v.Kind == "slow-recovery" && v.Detail.Contains("5500 ms"));
    }

    [Fact]
    public void The_report_groups_recovery_by_fault_kind()
    {
        CleanHistory();
        var text = Check().Render();
        Assert.Contains("faults injected: 1 (kill 1)", text);
        Assert.Contains("kill              n=1    p50 150, p99 150, max 150", text);
    }
}
