using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using HotStandby.Core.Protocol;

namespace HotStandby.Actors.Serialization;

/// <summary>
/// Compact binary form of the messages between nodes' cores (heartbeats, acks, votes; bound in reference.conf). A
/// heartbeat goes to every peer every interval: with Akka's default JSON serializer, encoding and decoding them took
/// about 15 % of an idle node's CPU (perf, fast profile), and that serializer leaves fields at their default value out of the
/// message, which once turned a <c>false</c> into the property's initial value on the other side. Every field is
/// written here, always.
/// </summary>
public sealed class PeerMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private const string HeartbeatManifest = "HB", AckManifest = "HA", PreVoteManifest = "PV", PreVoteResponseManifest = "PR",
        VoteManifest = "VQ", VoteResponseManifest = "VR", TimeoutNowManifest = "TN";

    public override int Identifier => 4712;

    public override string Manifest(object o) => o switch
    {
        Heartbeat => HeartbeatManifest,
        HeartbeatAck => AckManifest,
        PreVoteRequest => PreVoteManifest,
        PreVoteResponse => PreVoteResponseManifest,
        VoteRequest => VoteManifest,
        VoteResponse => VoteResponseManifest,
        TimeoutNow => TimeoutNowManifest,
        _ => throw new ArgumentException($"cannot serialize {o.GetType()}", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        var w = new WireWriter(128);
        switch (obj)
        {
            case Heartbeat m:
                w.Str(m.From); w.Long(m.Epoch); w.Byte((byte)m.Role); w.OptStr(m.PrimaryId); w.Position(m.LastLog); w.Long(m.CommitIndex);
                w.Bool(m.PreferredPrimary); w.Bool(m.Eligible); w.Strs(m.Hears); w.OptStr(m.HttpUrl); w.Long(m.SentAtMs);
                w.Strs(m.NotEligible); w.Bool(m.FromWitness);
                break;
            case HeartbeatAck m:
                w.Str(m.From); w.Long(m.Epoch); w.Long(m.HeartbeatEpoch); w.Long(m.EchoSentAtMs); w.Bool(m.Accepted); w.Position(m.LastLog);
                w.Strs(m.NotEligible);
                break;
            case PreVoteRequest m:
                w.Str(m.From); w.Long(m.Epoch); w.Position(m.LastLog);
                break;
            case PreVoteResponse m:
                w.Str(m.From); w.Long(m.Epoch); w.Bool(m.Granted); w.Str(m.Reason);
                break;
            case VoteRequest m:
                w.Str(m.From); w.Long(m.Epoch); w.Position(m.LastLog); w.Bool(m.Transfer);
                break;
            case VoteResponse m:
                w.Str(m.From); w.Long(m.Epoch); w.Bool(m.Granted); w.Str(m.Reason);
                break;
            case TimeoutNow m:
                w.Str(m.From); w.Long(m.Epoch); w.Str(m.Reason);
                break;
            default:
                throw new ArgumentException($"cannot serialize {obj.GetType()}", nameof(obj));
        }
        return w.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new WireReader(bytes, "peer message");
        object message = manifest switch
        {
            HeartbeatManifest => new Heartbeat(r.Str(), r.Long(), r.Role(), r.OptStr(), r.Position(), r.Long(), r.Bool(), r.Bool(), r.Strs(),
                r.OptStr(), r.Long()) { NotEligible = r.Strs(), FromWitness = r.Bool() },
            AckManifest => new HeartbeatAck(r.Str(), r.Long(), r.Long(), r.Long(), r.Bool(), r.Position()) { NotEligible = r.Strs() },
            PreVoteManifest => new PreVoteRequest(r.Str(), r.Long(), r.Position()),
            PreVoteResponseManifest => new PreVoteResponse(r.Str(), r.Long(), r.Bool(), r.Str()),
            VoteManifest => new VoteRequest(r.Str(), r.Long(), r.Position(), r.Bool()),
            VoteResponseManifest => new VoteResponse(r.Str(), r.Long(), r.Bool(), r.Str()),
            TimeoutNowManifest => new TimeoutNow(r.Str(), r.Long(), r.Str()),
            _ => throw new SerializationException($"unknown peer message manifest '{manifest}'"),
        };
        r.End();
        return message;
    }
}
