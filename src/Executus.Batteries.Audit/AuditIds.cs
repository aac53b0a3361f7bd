using System.Security.Cryptography;

namespace Executus.Batteries.Audit;

/// <summary>
/// Record ids in the layout of a version 7 GUID (48 bits of Unix milliseconds, then cryptographic randomness) written as
/// 32 hex digits, so they sort by time like <see cref="Guid.CreateVersion7(DateTimeOffset)"/>'s.
/// </summary>
/// <remarks>
/// Why not <see cref="Guid.CreateVersion7(DateTimeOffset)"/>: it asks the OS for randomness on every call, which costs
/// microseconds on some virtual machines — more than the rest of writing an event. Random bytes are drawn in blocks per
/// thread and each is used once.
/// </remarks>
internal static class AuditIds
{
    private const int BlockSize = 4096;
    private const int RandomBytes = 10;

    [ThreadStatic]
    private static byte[]? t_block;

    [ThreadStatic]
    private static int t_next;

    public static string New(DateTimeOffset timestamp) => NewGuid(timestamp).ToString("N");

    /// <summary>A new id as a GUID (its "N" text is the id; GUID order is the text's ordinal order).</summary>
    public static Guid NewGuid(DateTimeOffset timestamp)
    {
        long ms = Math.Max(0, timestamp.ToUnixTimeMilliseconds());
        byte[]? block = t_block;
        int next = t_next;
        if (block is null || next + RandomBytes > BlockSize)
        {
            block ??= t_block = new byte[BlockSize];
            RandomNumberGenerator.Fill(block);
            next = 0;
        }

        ReadOnlySpan<byte> r = block.AsSpan(next, RandomBytes);
        var guid = new Guid(
            (int)(ms >> 16),
            (short)ms,
            (short)(0x7000 | (((r[0] << 8) | r[1]) & 0x0FFF)),
            (byte)(0x80 | (r[2] & 0x3F)),
            r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            r[8],
            r[9]);
        block.AsSpan(next, RandomBytes).Clear();
        t_next = next + RandomBytes;
        return guid;
    }
}
