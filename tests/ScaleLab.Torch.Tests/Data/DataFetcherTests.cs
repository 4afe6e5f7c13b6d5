using ScaleLab.Core.Data;
using ScaleLab.Torch.Data;

namespace ScaleLab.Torch.Tests.Data;

public sealed class DataFetcherTests : IDisposable
{
    private static readonly string Embedded = Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist");

    /// <summary>The embedded subset's four files and their SHA-256s (sha256sum data/fashion-mnist/*), standing in for a mirror.</summary>
    private static readonly DatasetSource EmbeddedSource = new("fashion-mnist", new Uri("http://unused.invalid/"),
    [
        new("train-images-idx3-ubyte.gz", "dbc97073061adfe46b8bf8af6112364d34cf4cf2363dd8191a14d6515e121e6b"),
        new("train-labels-idx1-ubyte.gz", "0b1c9fd85da433904cd8c43816d58e9156256c8dde6e23698c4b9340b0494067"),
        new("t10k-images-idx3-ubyte.gz", "34b6848fb35a59e5287bf485522433dfd8bd017eb126fde6f02e96123c8ff741"),
        new("t10k-labels-idx1-ubyte.gz", "6a1ad38ad7d33240e59f70a44ddce4e9483e573ffad983d287064bd467dcbd4e"),
    ]);

    private readonly TempDirectory _dir = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        _dir.Dispose();
    }

    private static Dictionary<string, byte[]> EmbeddedFiles() =>
        EmbeddedSource.Files.ToDictionary(f => f.Name, f => File.ReadAllBytes(Path.Combine(Embedded, f.Name)));

    [Fact]
    public async Task Fetch_FromLoopbackMirror_WritesFourVerifiedFilesThatLoad()
    {
        using var server = new LoopbackServer(EmbeddedFiles());
        var fetched = await new DataFetcher(_http).FetchAsync(EmbeddedSource, _dir.Path, server.BaseUri);
        Assert.Equal(4, fetched.Count);
        Assert.All(fetched, f => Assert.True(f.Downloaded));
        Assert.Equal(EmbeddedSource.Files.Select(f => f.Name).Order(), Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Order());
        using var bundle = DataSources.Load(new DataRequest(DataSource.Default, Directory: _dir.Path));
        Assert.Equal(9000, bundle.Train.Count);
    }

    [Fact]
    public async Task Fetch_FilesAlreadyPresentAndVerified_AreNotDownloadedAgain()
    {
        using var server = new LoopbackServer(EmbeddedFiles());
        await new DataFetcher(_http).FetchAsync(EmbeddedSource, _dir.Path, server.BaseUri);
        int requests = server.Requests;
        var again = await new DataFetcher(_http).FetchAsync(EmbeddedSource, _dir.Path, server.BaseUri);
        Assert.Equal(requests, server.Requests);
        Assert.All(again, f => Assert.False(f.Downloaded));
    }

    [Fact]
    public async Task Fetch_CorruptedFile_FailsWithHashMismatchAndLeavesNothingBehind()
    {
        var files = EmbeddedFiles();
        files["train-labels-idx1-ubyte.gz"] = [.. files["train-labels-idx1-ubyte.gz"]];
        files["train-labels-idx1-ubyte.gz"][100] ^= 0xFF;
        using var server = new LoopbackServer(files);
        var ex = await Assert.ThrowsAsync<DataException>(() => new DataFetcher(_http).FetchAsync(EmbeddedSource, _dir.Path, server.BaseUri));
        string url = server.BaseUri + "train-labels-idx1-ubyte.gz";
        string actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(files["train-labels-idx1-ubyte.gz"]));
        Assert.Equal($"{url}: SHA-256 mismatch: expected 0b1c9fd85da433904cd8c43816d58e9156256c8dde6e23698c4b9340b0494067, got {actual} " +
                     $"({files["train-labels-idx1-ubyte.gz"].Length} bytes); the download is corrupt or the mirror serves a different file, and nothing was written", ex.Message);
        // The images before it were verified and kept; the corrupt labels left no file and no partial file.
        Assert.Equal(["train-images-idx3-ubyte.gz"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Fetch_MissingOnMirror_NamesTheUrlAndStatus()
    {
        using var server = new LoopbackServer(new Dictionary<string, byte[]>());
        var ex = await Assert.ThrowsAsync<DataException>(() => new DataFetcher(_http).FetchAsync(EmbeddedSource, _dir.Path, server.BaseUri));
        Assert.Equal($"{server.BaseUri}train-images-idx3-ubyte.gz: HTTP 404 Not Found; check --mirror or the network", ex.Message);
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Find_UnknownDataSet_ListsTheFetchableOnes()
    {
        var ex = Assert.Throws<DataException>(() => DatasetSource.Find("kmnist"));
        Assert.Equal("kmnist: no download source for 'kmnist': `data fetch` knows fashion-mnist, mnist", ex.Message);
    }

    [Fact]
    public void OfficialHashes_AreSha256Hex()
    {
        Assert.All(DatasetSource.Official.SelectMany(s => s.Files), f => Assert.Matches("^[0-9a-f]{64}$", f.Sha256));
    }
}
