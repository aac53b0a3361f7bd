using System.Security.Cryptography;

namespace Executus.Runs;

/// <summary>
/// New run ids (<c>run_</c> + 32 hex digits of cryptographic randomness), without a system call per id: each thread
/// draws random bytes in blocks and hands out 16 at a time.
/// </summary>
/// <remarks>
/// Why not <see cref="Guid.NewGuid"/>: it asks the OS for 16 bytes on every call, which costs microseconds on some
/// virtual machines — a fifth of a whole 10-step run of the kernel on a zero-latency model.
/// </remarks>
internal static class RunIds
{
    private const int BlockSize = 1024;

    [ThreadStatic]
    private static byte[]? t_block;

    [ThreadStatic]
    private static int t_next;

    public static string New() => string.Create(36, 0, static (span, _) =>
    {
        "run_".CopyTo(span);
        Span<byte> bytes = stackalloc byte[16];
        Fill(bytes);
        new Guid(bytes).TryFormat(span[4..], out _, "N");
    });

    /// <summary>Fills <paramref name="destination"/> (at most 64 bytes) with cryptographically random bytes, each used once.</summary>
    public static void Fill(Span<byte> destination)
    {
        byte[]? block = t_block;
        int next = t_next;
        if (block is null || next + destination.Length > BlockSize)
        {
            block ??= t_block = new byte[BlockSize];
            RandomNumberGenerator.Fill(block);
            next = 0;
        }

        Span<byte> taken = block.AsSpan(next, destination.Length);
        taken.CopyTo(destination);
        taken.Clear();
        t_next = next + destination.Length;
    }
}
