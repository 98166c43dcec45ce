using System.Runtime.Serialization;
using Akka.Configuration;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using HotStandby.Actors.Protocol;
using HotStandby.Actors.Serialization;
using HotStandby.Core.Data;
using HotStandby.Core.Protocol;
using HotStandby.Core.Roles;
using Xunit;

namespace HotStandby.Actors.Tests;

/// <summary>
/// Messages between nodes cross the wire with every field, through the serializers the node's own configuration
/// binds for them (reference.conf), not Akka's default JSON one.
/// </summary>
public sealed class PeerMessageWireSpecs() : TestKit(NodeRuntime.WithReference(ConfigurationFactory.ParseString(
    "akka.loglevel = WARNING\nakka.remote.dot-netty.tcp.port = 0")))
{
    private static readonly Heartbeat FullHeartbeat =
        new("w", 7, NodeRole.Starting, "a", new LogPosition(7, 12), 11, true, true, new List<string> { "a", "b" }, "http://10.0.0.1:8080", 99)
            { NotEligible = new List<string> { "b", "*" }, FromWitness = true };

    private Serializer SerializerFor(object message) => Sys.Serialization.FindSerializerFor(message);

    private T RoundTrip<T>(T message) where T : class
    {
        var serializer = (SerializerWithStringManifest)SerializerFor(message);
        var bytes = serializer.ToBinary(message);
        return Assert.IsType<T>(serializer.FromBinary(bytes, serializer.Manifest(message)));
    }

    [Fact]
    public void Peer_and_replication_messages_are_bound_to_the_binary_serializers()
    {
        Assert.IsType<PeerMessageSerializer>(SerializerFor(FullHeartbeat));
        Assert.IsType<PeerMessageSerializer>(SerializerFor(new VoteRequest("a", 3, new LogPosition(2, 9), false)));
        Assert.IsType<ReplicationSerializer>(SerializerFor(new AppendAck("b", 3, 1, true, 9, 10)));
    }

    /// <summary>
    /// Regression (chaos run): a flag whose value is the type's default must survive the trip; the JSON serializer
    /// left default values out, so a property initialised to anything else came back wrong on the other side.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_heartbeat_keeps_whether_its_sender_is_a_witness(bool witness)
    {
        var hb = FullHeartbeat with { FromWitness = witness };
        var back = RoundTrip(hb);
        Assert.Equal(witness, back.FromWitness);
        Assert.Equal(["b", "*"], back.NotEligible);
        Assert.Equal(hb, back);
    }

    [Fact]
    public void A_heartbeat_with_absent_and_default_fields_comes_back_the_same()
    {
        var hb = new Heartbeat("b", 0, NodeRole.Standby, null, LogPosition.Zero, 0, false, false, Array.Empty<string>(), null, 0);
        Assert.Equal(hb, RoundTrip(hb));
    }

    [Fact]
    public void Acks_and_votes_come_back_with_every_field()
    {
        var ack = new HeartbeatAck("b", 4, 3, 12345, true, new LogPosition(3, 77)) { NotEligible = new List<string> { "a" } };
        var ackBack = RoundTrip(ack);
        Assert.Equal(ack with { NotEligible = ackBack.NotEligible }, ackBack);
        Assert.Equal(["a"], ackBack.NotEligible);

        Assert.Equal(new PreVoteRequest("a", 5, new LogPosition(4, 10)), RoundTrip(new PreVoteRequest("a", 5, new LogPosition(4, 10))));
        Assert.Equal(new PreVoteResponse("w", 5, false, "its log is behind"), RoundTrip(new PreVoteResponse("w", 5, false, "its log is behind")));
        Assert.Equal(new VoteRequest("b", 6, new LogPosition(5, 1), true), RoundTrip(new VoteRequest("b", 6, new LogPosition(5, 1), true)));
        Assert.Equal(new VoteResponse("a", 6, true, "granted – ünïcode"), RoundTrip(new VoteResponse("a", 6, true, "granted – ünïcode")));
        Assert.Equal(new TimeoutNow("a", 6, "switchover to b"), RoundTrip(new TimeoutNow("a", 6, "switchover to b")));
    }

    [Fact]
    public void A_heartbeat_is_a_fraction_of_its_json_size()
    {
        var binary = SerializerFor(FullHeartbeat).ToBinary(FullHeartbeat);
        var json = new NewtonSoftJsonSerializer((Akka.Actor.ExtendedActorSystem)Sys).ToBinary(FullHeartbeat);
        Assert.True(binary.Length * 2 < json.Length, $"binary {binary.Length} bytes, JSON {json.Length} bytes");
    }

    [Fact]
    public void A_cut_or_padded_message_is_refused_with_the_byte_where_it_went_wrong()
    {
        var serializer = (SerializerWithStringManifest)SerializerFor(FullHeartbeat);
        var bytes = serializer.ToBinary(FullHeartbeat);
        var cut = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes[..20], "HB"));
        Assert.Contains("truncated at byte", cut.Message);
        var padded = Assert.Throws<SerializationException>(() => serializer.FromBinary([.. bytes, 0], "HB"));
        Assert.Contains("1 unexpected bytes", padded.Message);
        var unknown = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "ZZ"));
        Assert.Contains("'ZZ'", unknown.Message);
    }

    [Fact]
    public void A_role_this_node_does_not_know_is_refused()
    {
        var serializer = (SerializerWithStringManifest)SerializerFor(FullHeartbeat);
        var bytes = serializer.ToBinary(FullHeartbeat);
        var roleAt = 4 + "w".Length + 8; // From (length + bytes), then Epoch
        bytes[roleAt] = 200;
        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "HB"));
        Assert.Contains("unknown role 200", e.Message);
    }

    [Fact]
    public void A_replication_batch_comes_back_entry_for_entry()
    {
        var entries = new[]
        {
            LogEntry.Noop(3, 10),
            new LogEntry(3, 11, EntryKind.Put, "k1", [1, 2, 3]),
            new LogEntry(3, 12, EntryKind.Delete, "k1", null),
        };
        var back = RoundTrip(new AppendEntries("a", 3, 2, 9, 8, 42, entries));
        Assert.Equal(("a", 3L, 2L, 9L, 8L, 42L), (back.From, back.Epoch, back.PrevEpoch, back.PrevIndex, back.LeaderCommit, back.Seq));
        Assert.Equal(entries.Length, back.Entries.Count);
        for (var i = 0; i < entries.Length; i++)
        {
            Assert.Equal(entries[i] with { Value = null }, back.Entries[i] with { Value = null });
            Assert.Equal(entries[i].Value, back.Entries[i].Value);
        }
    }

    [Fact]
    public void A_batch_claiming_more_entries_than_its_bytes_hold_is_refused()
    {
        var serializer = (SerializerWithStringManifest)SerializerFor(new AppendAck("b", 3, 1, true, 9, 10));
        var bytes = serializer.ToBinary(new AppendEntries("a", 3, 2, 9, 8, 42, Array.Empty<LogEntry>()));
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 4), int.MaxValue); // the entry count is the last field
        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "A"));
        Assert.Contains("does not fit", e.Message);
    }
}
