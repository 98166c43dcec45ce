using HotStandby.Host.Node;
using Xunit;

namespace HotStandby.Host.Tests;

/// <summary>
/// The shipped program keeps replication's catch-up messages off the large-object heap, says so at start, and warns when
/// an operator's batch or chunk size puts them back on it.
/// </summary>
public sealed class GcSettingsTests
{
    private static bool GcLine(string line) => line.Contains("garbage collector:");

    [Fact]
    public async Task The_default_batches_and_chunks_start_in_generation_0()
    {
        var lines = await HostProcess.StartupLines(GcLine);
        // 256 KiB batches and chunks plus 64 KiB of framing, under the program's 1 MiB threshold (.NET's own is 85,000 bytes).
        Assert.Contains("workstation, non-concurrent, large-object threshold 1048576 bytes (largest replication message 327680 bytes)", lines[^1]);
        Assert.DoesNotContain(lines, l => l.Contains("WARN") && l.Contains("large-object heap"));
    }

    [Fact]
    public async Task A_chunk_size_past_the_threshold_is_warned_about_at_start()
    {
        var lines = await HostProcess.StartupLines(l => l.Contains("large-object heap"), null,
            "--set", "hotstandby.replication.snapshot-chunk-bytes=2MiB");
        Assert.Contains("(largest replication message 2162688 bytes)", Assert.Single(lines, GcLine));
        Assert.Contains("WARN  host: replication messages of up to 2162688 bytes", lines[^1]);
        Assert.Contains("threshold 1048576 bytes", lines[^1]);
    }

    [Fact]
    public void Without_the_programs_setting_the_runtime_default_applies()
    {
        // The test host has no LOHThreshold of its own: the property reads the runtime's answer, not a constant.
        Assert.Equal(GcSettings.DefaultLargeObjectThreshold, GcSettings.LargeObjectThreshold);
    }
}
