using Akka.TestKit.Xunit2;
using HotStandby.Core.Protocol;
using HotStandby.Core.Roles;
using Xunit;

namespace HotStandby.Actors.Tests;

/// <summary>Peer messages cross the wire with every field, through the serializer the actor system binds for them.</summary>
public sealed class PeerMessageWireSpecs() : TestKit("akka.loglevel = WARNING")
{
    private T RoundTrip<T>(T message) where T : class
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
        return Assert.IsType<T>(serializer.FromBinary(bytes, typeof(T)));
    }

    /// <summary>
    /// Regression (chaos run): a flag whose value is the type's default must survive the trip; the JSON serializer
    /// leaves default values out, so a property initialised to anything else came back wrong on the other side.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_heartbeat_keeps_whether_its_sender_is_a_witness(bool witness)
    {
        var hb = new Heartbeat("w", 7, NodeRole.Starting, "a", new LogPosition(7, 12), 11, false, false, new List<string> { "a" }, "http://x", 99)
            { NotEligible = new List<string> { "b" }, FromWitness = witness };
        var back = RoundTrip(hb);
        Assert.Equal(witness, back.FromWitness);
        Assert.Equal(["b"], back.NotEligible);
        Assert.Equal(hb, back);
    }
}
