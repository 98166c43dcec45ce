using System.Text;
using Xunit;

namespace HotStandby.Storage.Tests;

public sealed class Crc32CTests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("123456789", 0xE3069283u)] // the standard CRC-32C check value
    public void Known_values(string input, uint expected) => Assert.Equal(expected, Crc32C.Compute(Encoding.ASCII.GetBytes(input)));
}
