using ScaleLab.Experiments.Store;

namespace ScaleLab.Experiments.Tests;

/// <summary>`--store` parsing: both forms, the masked display, and one error per malformed URL.</summary>
public sealed class StoreLocationTests
{
    [Fact]
    public void Parse_PostgresUrl_MasksThePasswordEverywhereItIsShown()
    {
        var location = StoreLocation.Parse("postgresql://scalelab:s3cr%40t@db.example.org:6543/study?sslmode=require");
        Assert.Equal((StoreKind.Postgres, "postgresql://scalelab:***@db.example.org:6543/study?sslmode=require"), (location.Kind, location.Display));
        Assert.Equal(location.Display, location.ToString());
    }

    [Fact]
    public void Parse_SqliteDirectory_NamesTheResultsDbInIt()
    {
        using var dir = new TempDirectory();
        var location = StoreLocation.Parse("sqlite:" + dir.Path);
        Assert.Equal((StoreKind.Sqlite, Path.Combine(dir.Path, "results.db")), (location.Kind, location.SqlitePath));
    }

    [Theory]
    [InlineData("mysql://u@h/db", "--store: 'mysql://u@h/db' is not a store; use sqlite:PATH or postgresql://USER@HOST:PORT/DB")]
    [InlineData("postgresql://u:pw@h:5432/", "--store: 'postgresql://u:***@h:5432/' names no database; end it with /DB (use sqlite:PATH or postgresql://USER@HOST:PORT/DB)")]
    [InlineData("postgresql://h:5432/db", "--store: 'postgresql://h:5432/db' names no user; use sqlite:PATH or postgresql://USER@HOST:PORT/DB")]
    [InlineData("postgresql://u@h/db?sslmode=sometimes", "--store: 'postgresql://u@h/db?sslmode=sometimes': sslmode 'sometimes' is not one of disable, allow, prefer, require, verify-ca, verify-full")]
    [InlineData("postgresql://u@h/db?timeout=3", "--store: 'postgresql://u@h/db?timeout=3': query parameter 'timeout' is not supported; only sslmode is")]
    [InlineData("sqlite:", "--store: 'sqlite:' names no file; use sqlite:PATH or postgresql://USER@HOST:PORT/DB")]
    public void Should_Reject_A_Malformed_Store_Naming_It_Without_Its_Password(string text, string message)
    {
        var error = Assert.Throws<StoreException>(() => StoreLocation.Parse(text));
        Assert.Equal(message, error.Message);
    }

    // $SCALELAB_STORE is borrowed and restored; nothing else in this test process reads it (only the CLI resolves it).
    [Fact]
    public void Resolve_WithoutOption_ReadsTheEnvironmentAndSaysSoInErrors()
    {
        string? before = Environment.GetEnvironmentVariable(StoreLocation.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(StoreLocation.EnvironmentVariable, "oracle://x");
            var error = Assert.Throws<StoreException>(() => StoreLocation.Resolve(null));
            Assert.Equal("$SCALELAB_STORE: 'oracle://x' is not a store; use sqlite:PATH or postgresql://USER@HOST:PORT/DB", error.Message);
            Environment.SetEnvironmentVariable(StoreLocation.EnvironmentVariable, null);
            Assert.Null(StoreLocation.Resolve(null));
        }
        finally
        {
            Environment.SetEnvironmentVariable(StoreLocation.EnvironmentVariable, before);
        }
    }
}
