namespace ScaleLab.Core;

/// <summary>
/// Where results go: a folder that is a folder, exists (or can be made) and can be written to — checked before work
/// starts, so a long job never fails at its end for want of a place to put its results.
/// </summary>
public static class OutputFolder
{
    /// <summary>
    /// Proves <paramref name="path"/> can be written — the folder itself when it exists, else the nearest folder above
    /// it, where it would be created — without creating anything; <paramref name="option"/> names it in messages ("--out").
    /// </summary>
    public static string Prepare(string path, string option)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(option);
        if (File.Exists(path)) throw new ScaleLabException($"{option} {path}: is a file; give a folder (it will be created if missing)");
        string existing = Path.GetFullPath(path);
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing)) throw new ScaleLabException($"{option} {path}: {existing} is a file, so no folder can be made under it");
            existing = Path.GetDirectoryName(existing) ?? throw new ScaleLabException($"{option} {path}: no folder on this path exists");
        }
        try
        {
            // A probe file, removed at once: permissions, read-only mounts and a full disk all show here.
            string probe = Path.Combine(existing, $".scalelab-write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, [0]);
            File.Delete(probe);
            return path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ScaleLabException($"{option} {path}: cannot write there ({Reason(ex)}); choose a folder you can write to, on a disk with free space", ex);
        }
    }

    /// <summary>The operating system's words without .NET's path echo: "Read-only file system", "No space left on device".</summary>
    public static string Reason(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        string message = ex.Message;
        int colon = message.IndexOf(" : '", StringComparison.Ordinal);
        return (colon > 0 ? message[..colon] : message).TrimEnd('.');
    }
}
