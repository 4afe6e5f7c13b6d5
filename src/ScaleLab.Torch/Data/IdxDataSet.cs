using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Data;

/// <summary>
/// An MNIST-format image set (MNIST, Fashion-MNIST, KMNIST): four IDX files → float32 images (N, 1, H, W) and
/// int64 labels (N).
/// <para>Normalisation: pixel / 255, so inputs lie in [0, 1]; no mean/std standardisation. The same rule holds for
/// all three sets, which keeps a model trained on one comparable with another, and it is what the Keras seed
/// examples do.</para>
/// </summary>
public static class IdxDataSet
{
    /// <summary>MNIST-format sets have ten classes; a label outside 0..9 means a wrong or corrupt file.</summary>
    public const int ClassCount = 10;

    /// <summary>Class names in label order, from each data set's own documentation.</summary>
    public static IReadOnlyList<string> ClassNames(string name) => name switch
    {
        // github.com/zalandoresearch/fashion-mnist, "Labels".
        "fashion-mnist" => ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        // github.com/rois-codh/kmnist, kmnist_classmap.csv (romanised hiragana).
        "kmnist" => ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"],
        _ => ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    };

    /// <summary>The training or test split ("train" / "t10k" files) of the set in <paramref name="directory"/>.</summary>
    public static TensorDataSet LoadSplit(string directory, bool train, string name)
    {
        string prefix = train ? "train" : "t10k";
        string imagesPath = DataDirectory.FindFile(directory, $"{prefix}-images-idx3-ubyte")
            ?? throw new DataException(Path.Combine(directory, $"{prefix}-images-idx3-ubyte[.gz]"), "file not found");
        string labelsPath = DataDirectory.FindFile(directory, $"{prefix}-labels-idx1-ubyte")
            ?? throw new DataException(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte[.gz]"), "file not found");
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        return FromArrays(images, labels, $"{name}/{(train ? "train" : "test")}");
    }

    /// <summary>Validates an image array against its label array and turns both into tensors.</summary>
    public static TensorDataSet FromArrays(IdxArray images, IdxArray labels, string name)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Dims.Length != 3)
            throw new DataException(images.File, $"images must be a rank-3 IDX array (N, rows, columns), found rank {Int(images.Dims.Length)}");
        if (labels.Dims.Length != 1)
            throw new DataException(labels.File, $"labels must be a rank-1 IDX array (N), found rank {Int(labels.Dims.Length)}");
        if (images.Count != labels.Count)
            throw new DataException(images.File,
                $"holds {Int(images.Count)} images but {labels.File} holds {Int(labels.Count)} labels; the counts must match");
        for (int i = 0; i < labels.Data.Length; i++)
        {
            if (labels.Data[i] >= ClassCount)
                throw new DataException(labels.File, $"label {Int(labels.Data[i])} at index {Int(i)} is out of range: MNIST-format labels are 0 to 9");
        }

        long n = images.Count, h = images.Dims[1], w = images.Dims[2];
        using var raw = torch.tensor(images.Data, [n, 1, h, w], ScalarType.Byte);   // (N, 1, H, W) uint8
        using var levels = 255f.ToScalar();
        var inputs = raw.to_type(ScalarType.Float32).div_(levels);                    // (N, 1, H, W) in [0, 1]
        using var rawLabels = torch.tensor(labels.Data, [n], ScalarType.Byte);        // (N) uint8
        var targets = rawLabels.to_type(ScalarType.Int64);                            // (N) class ids
        return new TensorDataSet(inputs, targets, name);
    }

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
}
