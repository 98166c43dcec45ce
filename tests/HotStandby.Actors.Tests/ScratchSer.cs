using Akka.TestKit.Xunit2;
using HotStandby.Core.Protocol;
using HotStandby.Core.Roles;
using Xunit;

namespace HotStandby.Actors.Tests;

public sealed class ScratchSer() : TestKit("akka.loglevel = WARNING")
{
    [Fact]
    public void RoundTrip()
    {
        var hb = new Heartbeat("a", 1, NodeRole.Primary, "a", new LogPosition(1, 2), 3, true, true, 99);
        var ser = Sys.Serialization.FindSerializerFor(hb);
        var bytes = ser.ToBinary(hb);
        File.WriteAllText("/tmp/ser.txt", ser.GetType().Name + " " + System.Text.Encoding.UTF8.GetString(bytes));
        var back = Sys.Serialization.Deserialize(bytes, ser.Identifier, Akka.Serialization.Serialization.ManifestFor(ser, hb));
        Assert.Equal(hb, back);
    }
}
