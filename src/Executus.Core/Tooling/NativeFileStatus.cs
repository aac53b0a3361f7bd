using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Executus.Tooling;

/// <summary>The kind of a file system entry as <c>lstat</c> reports it (the entry itself, links not followed).</summary>
internal enum FileEntryKind
{
    Missing,
    RegularFile,
    Directory,
    SymbolicLink,
    Fifo,
    Socket,
    CharacterDevice,
    BlockDevice,

    /// <summary>Exists, but the platform cannot say whether it is a regular file or a special file.</summary>
    OtherOrUnknown,
}

/// <summary>
/// <c>lstat</c> of one path: its kind and hard-link count. On Linux through <c>statx(2)</c>, whose result layout is
/// the same on every architecture (no package, no /proc); elsewhere from .NET's attributes (directory, link, other).
/// </summary>
internal static class NativeFileStatus
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const uint StatxNlink = 0x4;
    private const int StatxSize = 256;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const int ENOSYS = 38;

    private static volatile bool s_statxUnavailable = !OperatingSystem.IsLinux();

    /// <summary>Gets whether the kind and link count come from the kernel (Linux statx) rather than .NET attributes.</summary>
    public static bool IsPrecise => !s_statxUnavailable;

    /// <summary>Reads the entry at <paramref name="path"/> without following a final link.</summary>
    /// <param name="path">A full path.</param>
    /// <returns>Its kind and hard-link count (0 when unknown or missing).</returns>
    /// <exception cref="IOException">The entry cannot be examined (for example, permission denied on a parent).</exception>
    public static (FileEntryKind Kind, uint Links) Lstat(string path)
    {
        if (!s_statxUnavailable)
        {
            byte[] buffer = new byte[StatxSize];
            int result;
            try
            {
                result = Statx(AtFdCwd, NulTerminatedUtf8(path), AtSymlinkNoFollow, StatxType | StatxMode | StatxNlink, buffer);
            }
            catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
            {
                s_statxUnavailable = true;
                return FromAttributes(path);
            }

            if (result != 0)
            {
                int error = Marshal.GetLastPInvokeError();
                if (error is ENOENT or ENOTDIR)
                {
                    return (FileEntryKind.Missing, 0);
                }

                if (error == ENOSYS)
                {
                    s_statxUnavailable = true;
                    return FromAttributes(path);
                }

                throw new IOException($"statx failed with errno {error}.");
            }

            // struct statx: u32 mask @0, u32 blksize @4, u64 attributes @8, u32 nlink @16, u32 uid @20, u32 gid @24, u16 mode @28.
            uint links = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(16));
            int mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28));
            if (!BitConverter.IsLittleEndian)
            {
                links = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(16));
                mode = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(28));
            }

            FileEntryKind kind = (mode & 0xF000) switch
            {
                0x8000 => FileEntryKind.RegularFile,
                0x4000 => FileEntryKind.Directory,
                0xA000 => FileEntryKind.SymbolicLink,
                0x1000 => FileEntryKind.Fifo,
                0xC000 => FileEntryKind.Socket,
                0x2000 => FileEntryKind.CharacterDevice,
                0x6000 => FileEntryKind.BlockDevice,
                _ => FileEntryKind.OtherOrUnknown,
            };
            return (kind, links);
        }

        return FromAttributes(path);
    }

    private static (FileEntryKind Kind, uint Links) FromAttributes(string path)
    {
        FileInfo info = new(path);
        if (info.LinkTarget is not null)
        {
            return (FileEntryKind.SymbolicLink, 0);
        }

        if (Directory.Exists(path))
        {
            return (FileEntryKind.Directory, 0);
        }

        if (!info.Exists)
        {
            return (FileEntryKind.Missing, 0);
        }

        // Why: Windows keeps no FIFOs or devices among ordinary files; other systems might, and .NET cannot tell.
        return (OperatingSystem.IsWindows() ? FileEntryKind.RegularFile : FileEntryKind.OtherOrUnknown, 0);
    }

    private static byte[] NulTerminatedUtf8(string path)
    {
        byte[] bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(path) + 1];
        System.Text.Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true, ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int dirfd, byte[] path, int flags, uint mask, [Out] byte[] buffer);
}
