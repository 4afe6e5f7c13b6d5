using ScaleLab.Torch.Data;

namespace ScaleLab.Torch.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string name, byte[] bytes)
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Read_EmbeddedTrainImages_Has10000ImagesOf28x28()
    {
        var images = IdxFile.Read(Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist", "train-images-idx3-ubyte.gz"));
        Assert.Equal([10000, 28, 28], images.Dims);
        Assert.Equal(7_840_000, images.Data.Length);
        Assert.Equal(76247, images.Data.Take(784).Sum(b => b));   // the first image's pixel sum, from the official file
    }

    [Fact]
    public void Read_EmbeddedTrainLabels_StartWithTheOfficialLabels()
    {
        var labels = IdxFile.Read(Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist", "train-labels-idx1-ubyte.gz"));
        Assert.Equal([10000], labels.Dims);
        Assert.Equal(new byte[] { 9, 0, 0, 3, 0, 2, 7, 2, 5, 5 }, labels.Data.Take(10));
    }

    [Fact]
    public void Read_RawAndGzip_GiveTheSameArray()
    {
        var raw = IdxBytes.Images(3);
        var a = IdxFile.Read(Write("raw", raw));
        var b = IdxFile.Read(Write("packed.gz", IdxBytes.Gzip(raw)));
        Assert.Equal(a.Dims, b.Dims);
        Assert.Equal(a.Data, b.Data);
        Assert.Equal([3, 2, 2], a.Dims);
    }

    [Fact]
    public void Read_MissingFile_NamesThePath()
    {
        string path = _dir.File("nope-idx1-ubyte");
        var ex = Assert.Throws<DataException>(() => IdxFile.Read(path));
        Assert.Equal($"{path}: file not found", ex.Message);
    }

    [Fact]
    public void Read_BadMagic_ShowsTheMagicAndTheExpectedForm()
    {
        string path = Write("bad", [0x01, 0x02, 0x08, 0x01, 0, 0, 0, 1, 5]);
        var ex = Assert.Throws<DataException>(() => IdxFile.Read(path));
        Assert.Equal($"{path}: bad magic number 0x01020801: an IDX file starts with 0x0000 then a type byte and a rank byte", ex.Message);
    }

    [Fact]
    public void Read_FloatElementType_IsRejectedAsUnsupported()
    {
        string path = Write("float", IdxBytes.Array([1], [0, 0, 0, 0], type: 0x0D));
        var ex = Assert.Throws<DataException>(() => IdxFile.Read(path));
        Assert.Equal($"{path}: unsupported IDX element type 0x0d (magic 0x00000d01): only 0x08 (unsigned byte) is supported", ex.Message);
    }

    [Fact]
    public void Read_ShorterThanMagic_IsTruncated()
    {
        string path = Write("short", [0, 0]);
        var ex = Assert.Throws<DataException>(() => IdxFile.Read(path));
        Assert.Equal($"{path}: truncated: 2 bytes, shorter than the 4-byte IDX magic number", ex.Message);
    }

    [Fact]
    public void Read_TruncatedHeader_CountsTheMissingDimensionBytes()
    {
        string path = Write("header", [0, 0, 8, 3, 0, 0, 0, 2]);
        var ex = Assert.Throws<DataException>(() => IdxFile.Read(path));
        Assert.Equal($"{path}: truncated header: 3 dimensions need 12 bytes after the magic, found 4", ex.Message);
    }

    [Fact]
    public void Read_TruncatedData_ReportsDeclaredAndFoundBytes()
    {
        var full = IdxBytes.Images(3);                        // 3x2x2 = 12 data bytes
        string path = Write("cut.gz", IdxBytes.Gzip(full[..^5]));
        var ex = Assert.Throws<DataException>(() => IdxFile.Read(path));
        Assert.Equal($"{path}: truncated: header declares 3x2x2 = 12 bytes of data, found 7", ex.Message);
    }

    [Fact]
    public void Read_GzipDeclaringMoreThanItCouldInflateTo_AllocatesWhatArrivesOnly()
    {
        // 60000 images declared, 3 pixels present: a ~40-byte file can inflate to at most ~105 KB (DEFLATE's 1032:1).
        string path = Write("liar.gz", IdxBytes.Gzip(IdxBytes.Array([60000, 28, 28], [1, 2, 3])));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<DataException>(() => IdxFile.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1L << 20, $"refusing a 47 MB claim in a tiny file allocated {allocated} bytes");
        Assert.Equal($"{path}: truncated: header declares 60000x28x28 = 47040000 bytes of data, found 3", ex.Message);
    }

    [Fact]
    public void Read_Gzip_ReadsIntoOneArrayOfTheDeclaredSize()
    {
        // 6,000 random 28×28 images (4.7 MB, barely compressible): one array of the data's size plus the stream's
        // buffers, not a growing buffer and its copy (which held 2.8× the data).
        var pixels = new byte[6000 * 28 * 28];
        new Random(7).NextBytes(pixels);
        string path = Write("random.gz", IdxBytes.Gzip(IdxBytes.Array([6000, 28, 28], pixels)));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var array = IdxFile.Read(path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(pixels, array.Data);
        Assert.InRange(allocated, pixels.Length, pixels.Length + (256L << 10));
    }

    [Fact]
    public void Read_TrailingBytes_AreAnError()
    {
        string path = Write("long", [.. IdxBytes.Labels(2), 7]);
        var ex = Assert.Throws<DataException>(() => IdxFile.Read(path));
        Assert.Equal($"{path}: has bytes after the 2 bytes its header (2) declares; the file is not a single IDX array", ex.Message);
    }

    [Fact]
    public void Read_ZeroDimension_IsRejected()
    {
        string path = Write("zero", IdxBytes.Array([0], []));
        var ex = Assert.Throws<DataException>(() => IdxFile.Read(path));
        Assert.Equal($"{path}: dimension 0 is 0: every IDX dimension must be positive", ex.Message);
    }

    [Fact]
    public void Read_HugeDeclaredSize_IsRejectedBeforeAllocating()
    {
        string path = Write("huge", IdxBytes.Array([100000, 4000, 4000], []));
        var ex = Assert.Throws<DataException>(() => IdxFile.Read(path));
        Assert.Equal($"{path}: declared size 100000x4000x4000 exceeds the 1073741824-byte limit", ex.Message);
    }

    [Fact]
    public void Read_OneHugeImage_IsRejectedByItsExtentBeforeAnyPixel()
    {
        // The prober's 1 MB .gz declaring one 32768×32768 image: refused from the 16-byte header.
        string path = Write("bomb", IdxBytes.Gzip(IdxBytes.Array([1, 32768, 32768], [])));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<DataException>(() => IdxFile.Read(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1L << 20, "refusing the bomb allocated more than 1 MiB (it once reached 6.3 GB)");
        Assert.Equal($"{path}: dimension 1 is 32768: an item (image row or column) is at most 4096 wide here", ex.Message);
    }

    [Fact]
    public void Read_RawFileDeclaringMoreThanItHolds_IsRejectedBeforeAllocating()
    {
        string path = Write("short", IdxBytes.Array([60000, 28, 28], [1, 2, 3]));
        var ex = Assert.Throws<DataException>(() => IdxFile.Read(path));
        Assert.Equal($"{path}: truncated: header declares 60000x28x28 = 47040000 bytes of data, found 3", ex.Message);
    }

    [Fact]
    public void Read_CorruptGzip_SaysToRedownload()
    {
        var gz = IdxBytes.Gzip(IdxBytes.Images(50));
        for (int i = 12; i < gz.Length - 8; i++) gz[i] ^= 0x5A;   // scramble the deflate body, keep the gzip magic
        string path = Write("corrupt.gz", gz);
        var ex = Assert.Throws<DataException>(() => IdxFile.Read(path));
        Assert.StartsWith($"{path}: corrupt gzip stream (", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("); re-download the file", ex.Message, StringComparison.Ordinal);
    }
}
