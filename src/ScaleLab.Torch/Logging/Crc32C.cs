namespace ScaleLab.Torch.Logging;

/// <summary>
/// CRC-32C (Castagnoli), the checksum TFRecord framing uses: reflected polynomial 0x82F63B78, initial value and final
/// XOR 0xFFFFFFFF (RFC 3720 §12.1, B.4; check value of "123456789" is 0xE3069283). Table-driven, one byte at a time:
/// event files are small, so simplicity beats speed here.
/// </summary>
public static class Crc32C
{
    private const uint Polynomial = 0x82F63B78u;

    /// <summary>TFRecord's mask delta (tensorflow/core/lib/hash/crc32c.h, kMaskDelta).</summary>
    private const uint MaskDelta = 0xa282ead8u;

    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    /// <summary>
    /// Masked CRC as stored in TFRecords: rotate right by 15 bits, add a constant (crc32c.h, Mask) — so that a CRC of
    /// data that itself contains CRCs does not degenerate.
    /// </summary>
    public static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = Compute(data);
        return unchecked(((crc >> 15) | (crc << 17)) + MaskDelta);
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
