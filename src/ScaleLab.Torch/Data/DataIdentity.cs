using System.Globalization;
using System.Security.Cryptography;
using ScaleLab.Torch.Checkpoints;

namespace ScaleLab.Torch.Data;

/// <summary>
/// What a run trained on, so a resume can prove it continues on the same data: the split sizes and a SHA-256 of every
/// tensor training, validation and test read (inputs and targets, in order). Another --data, a changed
/// $SCALELAB_DATA or a `data fetch` in between changes it; the description travels along so a mismatch names both.
/// Hashing Fashion-MNIST's 70,000 images (220 MB as float32) takes about half a second.
/// </summary>
public static class DataIdentity
{
    public static string Of(DataBundle data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var split in new[] { data.Train, data.Validation, data.Test })
        {
            hash.AppendData(BitConverter.GetBytes(split.Count));   // where one split ends and the next begins
            AppendTensor(hash, split.Inputs);
            AppendTensor(hash, split.Targets);
        }
        string digest = Convert.ToHexStringLower(hash.GetHashAndReset());
        return string.Create(CultureInfo.InvariantCulture,
            $"sha256:{digest[..16]} ({data.Train.Count} train, {data.Validation.Count} validation, {data.Test.Count} test: {data.Description})");
    }

    /// <summary>The hash part alone: two identities match when it does (descriptions may word the same data differently).</summary>
    /// <summary>
    /// Hashes the tensor's storage where it lies: a managed copy of the full Fashion-MNIST would hold another 209 MiB of
    /// garbage that the GC keeps committed for the whole run (docs/engine-bench.md, peak RSS of `scalelab train`).
    /// </summary>
    private static void AppendTensor(IncrementalHash hash, TorchSharp.torch.Tensor tensor)
    {
        using var cpu = tensor.detach().cpu().contiguous();
        hash.AppendData(cpu.bytes);
    }

    public static string Digest(string identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        int space = identity.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? identity : identity[..space];
    }
}
