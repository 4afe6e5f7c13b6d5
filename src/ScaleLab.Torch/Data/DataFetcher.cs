using System.Globalization;
using System.Security.Cryptography;

namespace ScaleLab.Torch.Data;

/// <summary>What happened to one file during a fetch.</summary>
public sealed record FetchedFile(string Path, string Sha256, long Bytes, bool Downloaded);

/// <summary>
/// Downloads a data set's files and verifies each against its SHA-256 before it appears under its real name:
/// bytes go to NAME.partial-RANDOM in the target directory while being hashed, and only a matching file is renamed
/// into place (atomic on one file system). A mismatch, an HTTP error or a cancellation deletes the partial file, so a
/// failed fetch never leaves a file that could later be mistaken for good data. Files already present with the right
/// hash are not downloaded again.
/// </summary>
public sealed class DataFetcher(HttpClient http)
{
    /// <summary>The largest file accepted (the full Fashion-MNIST training images are 26 MB).</summary>
    public const long MaxFileBytes = 256L << 20;

    public async Task<IReadOnlyList<FetchedFile>> FetchAsync(
        DatasetSource source, string directory, Uri? mirror = null, IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        var baseUri = mirror ?? source.DefaultMirror;
        if (!baseUri.AbsoluteUri.EndsWith('/')) baseUri = new Uri(baseUri.AbsoluteUri + "/");
        var results = new List<FetchedFile>();
        foreach (var file in source.Files)
        {
            string target = Path.Combine(directory, file.Name);
            if (File.Exists(target) && await HashFileAsync(target, cancellation).ConfigureAwait(false) == file.Sha256)
            {
                progress?.Report($"{file.Name}: already present, SHA-256 verified");
                results.Add(new FetchedFile(target, file.Sha256, new FileInfo(target).Length, Downloaded: false));
                continue;
            }
            var url = new Uri(baseUri, file.Name);
            progress?.Report($"{file.Name}: downloading {url}");
            long bytes = await DownloadVerifiedAsync(url, target, file.Sha256, cancellation).ConfigureAwait(false);
            progress?.Report($"{file.Name}: {bytes.ToString(CultureInfo.InvariantCulture)} bytes, SHA-256 verified");
            results.Add(new FetchedFile(target, file.Sha256, bytes, Downloaded: true));
        }
        return results;
    }

    private async Task<long> DownloadVerifiedAsync(Uri url, string target, string expectedSha256, CancellationToken cancellation)
    {
        string partial = $"{target}.partial-{Guid.NewGuid():N}";
        try
        {
            using var response = await SendAsync(url, cancellation).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new DataException(url.ToString(), $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}; check --mirror or the network");
            if (response.Content.Headers.ContentLength > MaxFileBytes)
                throw new DataException(url.ToString(), $"is {response.Content.Headers.ContentLength} bytes, over the {MaxFileBytes}-byte limit for a data file");
            string actual;
            long bytes;
            var download = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
            await using (download.ConfigureAwait(false))
            {
                var output = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await using (output.ConfigureAwait(false))
                {
                    (actual, bytes) = await CopyHashingAsync(download, output, url, cancellation).ConfigureAwait(false);
                }
            }
            if (actual != expectedSha256)
                throw new DataException(url.ToString(),
                    $"SHA-256 mismatch: expected {expectedSha256}, got {actual} ({bytes.ToString(CultureInfo.InvariantCulture)} bytes); " +
                    "the download is corrupt or the mirror serves a different file, and nothing was written");
            File.Move(partial, target, overwrite: true);
            return bytes;
        }
        finally
        {
            if (File.Exists(partial)) File.Delete(partial);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Uri url, CancellationToken cancellation)
    {
        try
        {
            return await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellation).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new DataException(url.ToString(), $"download failed: {ex.Message}", ex);
        }
    }

    private static async Task<(string Sha256, long Bytes)> CopyHashingAsync(Stream input, Stream output, Uri url, CancellationToken cancellation)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await input.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > MaxFileBytes)
                throw new DataException(url.ToString(), $"sent more than the {MaxFileBytes.ToString(CultureInfo.InvariantCulture)}-byte limit for a data file");
            sha.AppendData(buffer, 0, read);
            await output.WriteAsync(buffer.AsMemory(0, read), cancellation).ConfigureAwait(false);
        }
        return (Convert.ToHexStringLower(sha.GetHashAndReset()), total);
    }

    public static async Task<string> HashFileAsync(string path, CancellationToken cancellation = default)
    {
        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellation).ConfigureAwait(false));
        }
    }
}
