using HotStandby.Core.Replication;
using Xunit;

namespace HotStandby.Core.Tests;

public sealed class RefusalRecordTests
{
    private static readonly DateTime T0 = new(2026, 11, 25, 1, 2, 3, 4, DateTimeKind.Utc);

    [Fact]
    public void A_new_reason_is_logged_once_and_its_status_refreshed_at_most_once_a_second()
    {
        var record = new RefusalRecord();
        Assert.Null(record.Text);

        Assert.Equal((true, true), record.Note("refused x: stale", 5000, T0));
        Assert.Equal("refused x: stale (first 01:02:03.004, last 01:02:03.004 UTC)", record.Text);

        Assert.Equal((false, false), record.Note("refused x: stale", 5999, T0.AddMilliseconds(999)));
        Assert.Equal("refused x: stale (first 01:02:03.004, last 01:02:03.004 UTC)", record.Text);

        Assert.Equal((false, true), record.Note("refused x: stale", 6000, T0.AddSeconds(1)));
        Assert.Equal("refused x: stale (first 01:02:03.004, last 01:02:04.004 UTC)", record.Text);
    }

    [Fact]
    public void Another_reason_is_new_at_once_and_starts_its_own_first_seen()
    {
        var record = new RefusalRecord();
        record.Note("refused x: stale", 5000, T0);
        Assert.Equal((true, true), record.Note("refused x: not recorded", 5001, T0.AddMilliseconds(1)));
        Assert.Equal("refused x: not recorded (first 01:02:03.005, last 01:02:03.005 UTC)", record.Text);
    }
}
