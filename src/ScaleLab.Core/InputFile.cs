using System.Runtime.InteropServices;

namespace ScaleLab.Core;

/// <summary>
/// Inputs are regular files. A FIFO would block the reader until someone writes to it, a device such as /dev/zero or
/// /dev/urandom never ends, and a folder is not data: each is refused by name before it is opened.
/// </summary>
public static partial class InputFile
{
    public static void RequireRegular(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw new ScaleLabException($"{path}: is a folder; a file is expected here");
        if (!File.Exists(path)) throw new ScaleLabException($"{path}: file not found");
        if (FileType(path) is { } type && type != RegularFile)
            throw new ScaleLabException($"{path}: is not a regular file (a pipe, socket or device); give a file");
    }

    private const uint TypeMask = 0xF000, RegularFile = 0x8000;   // S_IFMT, S_IFREG (sys/stat.h)

    /// <summary>st_mode's type bits from stat(2) (symbolic links followed), or null where the layout is not known.</summary>
    private static uint? FileType(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        // struct stat on glibc: st_mode is a uint32 at byte 24 on x86-64 (after st_dev, st_ino, st_nlink) and at 16 on
        // arm64 (st_nlink comes after st_mode there). 256 bytes cover both structs.
        int offset = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24,
            Architecture.Arm64 => 16,
            _ => -1,
        };
        if (offset < 0) return null;
        var buffer = new byte[256];
        if (NativeStat.stat(path, buffer) != 0) return null;
        return BitConverter.ToUInt32(buffer, offset) & TypeMask;
    }

    private static partial class NativeStat
    {
        [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int stat(string path, [Out] byte[] buffer);
    }
}
