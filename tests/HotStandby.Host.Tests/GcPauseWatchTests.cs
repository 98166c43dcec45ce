using HotStandby.Host.Node;
using Xunit;

namespace HotStandby.Host.Tests;

public sealed class GcPauseWatchTests
{
    [Theory]
    [InlineData(49.9, 150, false)]
    [InlineData(50, 150, true)]
    [InlineData(120, 1000, false)]
    [InlineData(400, 1000, true)]
    public void A_pause_of_a_third_of_the_lease_or_more_is_worth_a_warning(double pauseMs, int leaseMs, bool expected) =>
        Assert.Equal(expected, GcPauseWatch.WorthAWarning(pauseMs, TimeSpan.FromMilliseconds(leaseMs)));

    [Fact]
    public void A_full_collection_after_the_watch_started_is_measured_and_one_past_the_threshold_is_warned_about()
    {
        var warnings = new List<string>();
        // A lease of a few microseconds: any real pause passes a third of it.
        using var watch = new GcPauseWatch(TimeSpan.FromTicks(30), warnings.Add, pollEvery: null);
        watch.Poll();
        Assert.Empty(warnings); // collections from before the watch are not reported
        var survivors = Enumerable.Range(0, 200_000).Select(i => new byte[32]).ToList(); // something to mark
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        GC.KeepAlive(survivors);
        watch.Poll();
        Assert.True(watch.LongestPauseMs > 0);
        Assert.Contains(warnings, w => w.Contains("gen 2") && w.Contains("FullBlocking") && w.Contains("paused the process"));
        Assert.Equal(warnings.Count, watch.LongPauses);
        watch.Poll();
        Assert.Equal(watch.LongPauses, warnings.Count); // the same collection is reported once
    }
}
