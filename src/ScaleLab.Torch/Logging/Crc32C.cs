using System.Buffers.Binary;
using System.Numerics;

namespace ScaleLab.Torch.Logging;

/// <summary>
/// CRC-32C (Castagnoli), the checksum TFRecord framing uses: reflected polynomial 0x82F63B78, initial value and final
/// XOR 0xFFFFFFFF (RFC 3720 §12.1, B.4; check value of "123456789" is 0xE3069283). Computed by
/// <see cref="BitOperations.Crc32C(uint, ulong)"/> — the SSE4.2/ARMv8 CRC32C instruction where the CPU has one — eight
/// bytes at a time, then the tail byte by byte.
/// </summary>
public static class Crc32C
{
    /// <summary>TFRecord's mask delta (tensorflow/core/lib/hash/crc32c.h, kMaskDelta).</summary>
    private const uint MaskDelta = 0xa282ead8u;

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        int at = 0;
        for (; at + 8 <= data.Length; at += 8) crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[at..]));
        for (; at < data.Length; at++) crc = BitOperations.Crc32C(crc, data[at]);
        return crc ^ 0xFFFFFFFFu;
    }

    /// <summary>
    /// Masked CRC as stored in TFRecords: rotate right by 15 bits, add a constant (crc32c.h, Mask) — so that a CRC of
    /// data that itself contains CRCs does not degenerate.
    /// </summary>
    public static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = Compute(data);
        return unchecked(BitOperations.RotateRight(crc, 15) + MaskDelta);
    }
}
