using System.Security.Cryptography;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests.Data;

public sealed class DataIdentityTests
{
    private static DataBundle Bundle(int train)
    {
        using Scalar pixels = (train * 784 + 2 * 784).ToScalar(), scale = 1000f.ToScalar(), samples = (train + 2).ToScalar(), classes = 10.ToScalar();
        var x = arange(Scalars.Zero, pixels, Scalars.One, ScalarType.Float32).reshape(-1, 1, 28, 28).div_(scale);   // (N, 1, 28, 28)
        var y = arange(Scalars.Zero, samples, Scalars.One, ScalarType.Int64).remainder_(classes);                  // (N) class ids
        return new DataBundle(
            new TensorDataSet(x.narrow(0, 0, train), y.narrow(0, 0, train), "train"),
            new TensorDataSet(x.narrow(0, train, 1), y.narrow(0, train, 1), "validation"),
            new TensorDataSet(x.narrow(0, train + 1, 1), y.narrow(0, train + 1, 1), "test"),
            TaskKind.Classification, 10, Shape.Of(1, 28, 28), false, "synthetic");
    }

    [Fact]
    public void Of_IsTheSha256OfEachSplitsCountAndBytes()
    {
        // The digest checkpoints carry: it must not change when the way of reading the bytes does (resume checks it).
        using var data = Bundle(100);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var split in new[] { data.Train, data.Validation, data.Test })
        {
            sha.AppendData(BitConverter.GetBytes(split.Count));
            sha.AppendData(split.Inputs.contiguous().bytes.ToArray());
            sha.AppendData(split.Targets.contiguous().bytes.ToArray());
        }
        string expected = Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
        Assert.Equal($"sha256:{expected} (100 train, 1 validation, 1 test: synthetic)", DataIdentity.Of(data));
    }

    [Fact]
    public void Of_HashesTheTensorsWithoutAManagedCopy()
    {
        using var data = Bundle(4000);   // 12.5 MB of float32 pixels
        long before = GC.GetAllocatedBytesForCurrentThread();
        _ = DataIdentity.Of(data);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64 << 10, $"hashing 12.5 MB of tensors allocated {allocated} managed bytes (a copy held the full Fashion-MNIST's 209 MiB again)");
    }
}
