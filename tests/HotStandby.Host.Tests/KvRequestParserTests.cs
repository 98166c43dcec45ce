using System.Text;
using HotStandby.Host.Http.DataLoop;
using Xunit;

namespace HotStandby.Host.Tests;

/// <summary>What the data loop serves itself, and what it leaves to Kestrel.</summary>
public sealed class KvRequestParserTests
{
    private const int MaxKey = 64, MaxValue = 1024;

    private static ParseOutcome Parse(string text, out KvRequest request) =>
        KvRequestParser.TryParse(Encoding.ASCII.GetBytes(text), MaxKey, MaxValue, out request);

    private static ParseOutcome Parse(string text) => Parse(text, out _);

    [Fact]
    public void A_put_with_a_content_length_is_served_with_its_key_and_body()
    {
        const string text = "PUT /kv/user:42 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello";
        Assert.Equal(ParseOutcome.Request, Parse(text, out var r));
        Assert.Equal(KvMethod.Put, r.Method);
        Assert.Equal("user:42", r.Key);
        Assert.Equal("/kv/user:42", r.Path);
        Assert.Equal("hello", text.Substring(r.BodyStart, r.BodyLength));
        Assert.Equal(text.Length, r.Size);
    }

    [Fact]
    public void Get_and_delete_without_a_body_are_served()
    {
        Assert.Equal(ParseOutcome.Request, Parse("GET /kv/a/b HTTP/1.1\r\nHost: x\r\n\r\n", out var get));
        Assert.Equal((KvMethod.Get, "a/b", 0), (get.Method, get.Key, get.BodyLength));
        Assert.Equal(ParseOutcome.Request, Parse("DELETE /KV/a HTTP/1.1\r\nhost: x\r\nContent-Length: 0\r\n\r\n", out var delete));
        Assert.Equal((KvMethod.Delete, "a"), (delete.Method, delete.Key));
    }

    [Fact]
    public void Pipelined_requests_are_taken_one_at_a_time()
    {
        const string first = "PUT /kv/a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n1";
        const string second = "PUT /kv/b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n22";
        Assert.Equal(ParseOutcome.Request, Parse(first + second, out var r));
        Assert.Equal(("a", first.Length), (r.Key, r.Size));
        Assert.Equal(ParseOutcome.Request, Parse(second, out r));
        Assert.Equal(("b", second.Length), (r.Key, r.Size));
    }

    [Theory]
    [InlineData("PUT /kv/a HTTP/1.1\r\nHost: x\r\nContent-Len")]
    [InlineData("PUT /kv/a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhel")]
    [InlineData("PUT /k")]
    [InlineData("DELE")]
    [InlineData("")]
    public void A_request_still_arriving_is_waited_for(string text) => Assert.Equal(ParseOutcome.Incomplete, Parse(text));

    [Theory]
    [InlineData("GET /status HTTP/1.1\r\nHost: x\r\n\r\n")] // another route
    [InlineData("GET /sta")] // known as another route before its head is complete
    [InlineData("HEAD /kv/a HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("PATCH /kv/a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n1")]
    [InlineData("PUT /kv/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n")]
    [InlineData("PUT /kv/a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n")]
    [InlineData("PUT /kv/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1\r\n\r\n1")]
    [InlineData("PUT /kv/a HTTP/1.1\r\nHost: x\r\n\r\n")] // no Content-Length: Kestrel reads to the end
    [InlineData("PUT /kv/a HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n")] // over the value limit: Kestrel's 413
    [InlineData("PUT /kv/a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n1")]
    [InlineData("PUT /kv/a HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\n1")]
    [InlineData("DELETE /kv/a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n1")]
    [InlineData("PUT /kv/a HTTP/1.1\r\nContent-Length: 1\r\n\r\n1")] // no Host: Kestrel's 400
    [InlineData("PUT /kv/a HTTP/1.0\r\nHost: x\r\nContent-Length: 1\r\n\r\n1")]
    [InlineData("GET /kv/a%20b HTTP/1.1\r\nHost: x\r\n\r\n")] // percent-encoded: Kestrel decodes it
    [InlineData("GET /kv/a?x=1 HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET /kv/a/../b HTTP/1.1\r\nHost: x\r\n\r\n")] // a dot segment: Kestrel resolves it
    [InlineData("GET /kv/ HTTP/1.1\r\nHost: x\r\n\r\n")] // empty key: Kestrel's 400
    [InlineData("GET /kvx/a HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET /kv/a HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n")]
    [InlineData("GET /kv/a HTTP/1.1\r\nHost : x\r\n\r\n")]
    public void Anything_else_goes_to_kestrel(string text) => Assert.Equal(ParseOutcome.HandOver, Parse(text));

    [Fact]
    public void A_key_over_the_limit_goes_to_kestrel()
    {
        Assert.Equal(ParseOutcome.Request, Parse($"GET /kv/{new string('k', MaxKey)} HTTP/1.1\r\nHost: x\r\n\r\n"));
        Assert.Equal(ParseOutcome.HandOver, Parse($"GET /kv/{new string('k', MaxKey + 1)} HTTP/1.1\r\nHost: x\r\n\r\n"));
    }

    [Fact]
    public void A_head_that_never_ends_goes_to_kestrel()
    {
        var head = "GET /kv/a HTTP/1.1\r\nHost: x\r\nX-Padding: " + new string('p', KvRequestParser.MaxHeadBytes);
        Assert.Equal(ParseOutcome.HandOver, Parse(head));
        Assert.Equal(ParseOutcome.Incomplete, Parse(head[..1000]));
    }
}
