using HotStandby.Host.Configuration;
using Xunit;

namespace HotStandby.Host.Tests;

public sealed class HoconSyntaxCheckTests
{
    [Theory]
    [InlineData("a = [1, 2", "'[' opened at line 1, column 5 is never closed")]
    [InlineData("a {\n  b = 1\n}}", "line 3, column 2: unexpected '}'")]
    [InlineData("a = \"open", "line 1, column 5: unterminated string")]
    [InlineData("a = [1, 2}", "line 1, column 10: '}' closes '[' opened at line 1, column 5")]
    public void Unbalanced_text_is_reported_with_its_position(string text, string problem) =>
        Assert.Equal(problem, HoconSyntaxCheck.Find(text));

    [Theory]
    [InlineData("a { b = \"}\" } # } in a comment")]
    [InlineData("a = \"\"\"multi\n{ line\"\"\" // ]")]
    [InlineData("peers = [{ node-id = b, address = \"akka.tcp://x@h:1\" }]")]
    public void Balanced_text_passes(string text) => Assert.Null(HoconSyntaxCheck.Find(text));
}
