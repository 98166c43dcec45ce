using System.Buffers.Binary;
using System.Numerics;

namespace HotStandby.Storage;

/// <summary>CRC-32C (Castagnoli), the checksum on every durable record; hardware-accelerated where the CPU has it.</summary>
public static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Start, data));

    /// <summary>The running value before any data; feed it through <see cref="Append"/> and end with <see cref="Finish"/>.</summary>
    public const uint Start = 0xFFFFFFFFu;

    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data)
            crc = BitOperations.Crc32C(crc, b);
        return crc;
    }

    public static uint Finish(uint crc) => crc ^ 0xFFFFFFFFu;
}
