namespace ScaleLab.Torch.Data;

/// <summary>One downloadable file and the SHA-256 (lower-case hex) its bytes must have.</summary>
public sealed record DatasetFile(string Name, string Sha256);

/// <summary>Where a data set's files are published and what they hash to.</summary>
public sealed record DatasetSource(string Name, Uri DefaultMirror, IReadOnlyList<DatasetFile> Files)
{
    /// <summary>
    /// Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017), from the official repository github.com/zalandoresearch/fashion-mnist
    /// (data/fashion). Its README publishes MD5s (8d4fb7e6…, 25c81989…, bef4ecab…, bb300cfd…); the SHA-256s of those same
    /// files are the ones pinned by TensorFlow Datasets (fashion_mnist checksums) and by batchup's fashion_mnist.py.
    /// The README's other official link, http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/, serves the same bytes.
    /// </summary>
    public static readonly DatasetSource FashionMnist = new("fashion-mnist",
        new Uri("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"),
        [
            new("train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
            new("train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
            new("t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
            new("t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
        ]);

    /// <summary>
    /// MNIST (LeCun, Cortes &amp; Burges), the files of http://yann.lecun.com/exdb/mnist/. That host now often refuses
    /// downloads, so the default is PyTorch's mirror (the one torchvision uses); the SHA-256s are those pinned by TensorFlow
    /// Datasets and Keras for the original files, so a mirror can only pass by serving identical bytes.
    /// </summary>
    public static readonly DatasetSource Mnist = new("mnist",
        new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/"),
        [
            new("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            new("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            new("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            new("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
        ]);

    public static IReadOnlyList<DatasetSource> Official { get; } = [FashionMnist, Mnist];

    public static DatasetSource Find(string name) =>
        Official.FirstOrDefault(s => s.Name == name)
        ?? throw new DataException(name, $"no download source for '{name}': `data fetch` knows {string.Join(", ", Official.Select(s => s.Name))}");
}
