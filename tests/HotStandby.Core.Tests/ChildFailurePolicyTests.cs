using HotStandby.Core.Supervision;
using Xunit;

namespace HotStandby.Core.Tests;

public sealed class ChildFailurePolicyTests
{
    private readonly ChildFailurePolicy _policy = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));

    [Theory]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(4, 800)]
    [InlineData(8, 10_000)]
    [InlineData(50, 10_000)]
    public void Crashing_child_is_restarted_with_exponential_backoff_up_to_the_cap(int failures, int expectedMs)
    {
        var decision = Assert.IsType<ChildFailureDecision.Restart>(_policy.Decide("heartbeat", "boom", isStorageFailure: false, failures));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), decision.Backoff);
    }

    [Fact]
    public void Storage_failure_fences_the_node()
    {
        var decision = Assert.IsType<ChildFailureDecision.Fence>(_policy.Decide("store", "IOException: disk gone", isStorageFailure: true, 1));
        Assert.Contains("store failed on storage: IOException: disk gone", decision.Reason);
    }
}
