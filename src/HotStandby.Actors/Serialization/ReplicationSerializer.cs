using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using HotStandby.Actors.Protocol;
using HotStandby.Core.Data;

namespace HotStandby.Actors.Serialization;

/// <summary>
/// Compact binary form of the replication messages (bound in reference.conf): a 100-byte value costs its bytes plus a
/// few dozen, where Akka's default JSON serializer more than doubles it and is slower.
/// </summary>
public sealed class ReplicationSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private const string AppendManifest = "A", AckManifest = "K", ChunkManifest = "S", ChunkAckManifest = "T";

    public override int Identifier => 4711;

    public override string Manifest(object o) => o switch
    {
        AppendEntries => AppendManifest,
        AppendAck => AckManifest,
        SnapshotChunk => ChunkManifest,
        SnapshotChunkAck => ChunkAckManifest,
        _ => throw new ArgumentException($"cannot serialize {o.GetType()}", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        var w = new WireWriter(obj is AppendEntries a ? 64 + a.Entries.Sum(LogEntryCodec.SizeOf) : obj is SnapshotChunk c ? 64 + c.Data.Length : 64);
        switch (obj)
        {
            case AppendEntries m:
                w.Str(m.From); w.Long(m.Epoch); w.Long(m.PrevEpoch); w.Long(m.PrevIndex); w.Long(m.LeaderCommit); w.Long(m.Seq);
                w.Int(m.Entries.Count);
                foreach (var e in m.Entries) w.Entry(e);
                break;
            case AppendAck m:
                w.Str(m.From); w.Long(m.Epoch); w.Long(m.Seq); w.Bool(m.Success); w.Long(m.MatchIndex); w.Long(m.NextIndex);
                break;
            case SnapshotChunk m:
                w.Str(m.From); w.Long(m.Epoch); w.Long(m.SnapshotEpoch); w.Long(m.SnapshotIndex); w.Long(m.Offset); w.Bool(m.Last);
                w.Bytes(m.Data);
                break;
            case SnapshotChunkAck m:
                w.Str(m.From); w.Long(m.Epoch); w.Long(m.SnapshotIndex); w.Long(m.NextOffset); w.Bool(m.Installed); w.Bool(m.Failed);
                break;
            default:
                throw new ArgumentException($"cannot serialize {obj.GetType()}", nameof(obj));
        }
        return w.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new WireReader(bytes, "replication message");
        switch (manifest)
        {
            case AppendManifest:
            {
                var (from, epoch, prevEpoch, prevIndex, commit, seq) = (r.Str(), r.Long(), r.Long(), r.Long(), r.Long(), r.Long());
                var count = r.Count();
                var entries = new LogEntry[count];
                for (var i = 0; i < count; i++) entries[i] = r.Entry();
                return new AppendEntries(from, epoch, prevEpoch, prevIndex, commit, seq, entries);
            }
            case AckManifest:
                return new AppendAck(r.Str(), r.Long(), r.Long(), r.Bool(), r.Long(), r.Long());
            case ChunkManifest:
            {
                var (from, epoch, snapEpoch, snapIndex, offset, last) = (r.Str(), r.Long(), r.Long(), r.Long(), r.Long(), r.Bool());
                return new SnapshotChunk(from, epoch, snapEpoch, snapIndex, offset, r.Bytes(), last);
            }
            case ChunkAckManifest:
                return new SnapshotChunkAck(r.Str(), r.Long(), r.Long(), r.Long(), r.Bool(), r.Bool());
            default:
                throw new SerializationException($"unknown replication manifest '{manifest}'");
        }
    }
}
