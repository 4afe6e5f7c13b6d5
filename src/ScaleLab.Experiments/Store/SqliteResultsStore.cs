using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ScaleLab.Experiments.Store;

/// <summary>
/// The one-machine results store: DIR/results.db, SQLite in WAL mode. Every write is one transaction, so a process
/// killed at any moment leaves the file as it was before or after that write, never between. Each operation opens its
/// own (pooled) connection, so one store may be shared by worker threads, and several processes may write the same
/// file: they wait on each other (busy timeout) instead of failing. The statements are <see cref="SqlResultsStore"/>'s.
/// </summary>
public sealed class SqliteResultsStore : SqlResultsStore
{
    public const string FileName = Core.Runs.SweepFiles.ResultsDb;

    /// <summary>How long a writer waits for another to finish before giving up (SQLite busy timeout).</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(60);

    private readonly string _connectionString;

    private SqliteResultsStore(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    public override string Location => Path;

    protected override string ClaimLockClause => "";

    /// <summary>Opens (creating if needed) DIR/results.db.</summary>
    public static SqliteResultsStore Open(string sweepDirectory)
    {
        ArgumentNullException.ThrowIfNull(sweepDirectory);
        Directory.CreateDirectory(sweepDirectory);
        return OpenFile(System.IO.Path.Combine(sweepDirectory, FileName));
    }

    /// <summary>Opens an existing DIR/results.db for reading; a missing file is an error naming the directory.</summary>
    public static SqliteResultsStore OpenExisting(string sweepDirectory)
    {
        ArgumentNullException.ThrowIfNull(sweepDirectory);
        string path = System.IO.Path.Combine(sweepDirectory, FileName);
        if (!File.Exists(path))
            throw new StoreException($"{sweepDirectory}: no {FileName} here; run `scalelab sweep SWEEP.json --out {sweepDirectory}` first");
        return OpenFile(path);
    }

    /// <summary>Opens (creating if needed) the store file at <paramref name="path"/>, migrating an older schema.</summary>
    public static SqliteResultsStore OpenFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var store = new SqliteResultsStore(System.IO.Path.GetFullPath(path));
        try
        {
            string? folder = System.IO.Path.GetDirectoryName(store.Path);
            if (folder is not null) Directory.CreateDirectory(folder);
            using var connection = (SqliteConnection)store.Connect();
            SqliteSchema.Ensure(connection, store.Path);
        }
        catch (SqliteException ex)
        {
            throw store.Fault(ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreException($"{store.Path}: cannot be opened ({ScaleLab.Core.OutputFolder.Reason(ex)})", ex);
        }
        return store;
    }

    protected override DbConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragmas = connection.CreateCommand();
        // WAL: readers never block the writer and a killed writer leaves the last committed state (sqlite.org/wal.html).
        pragmas.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = "
            + ((int)BusyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + ";";
        pragmas.ExecuteNonQuery();
        return connection;
    }

    protected override DbTransaction BeginWrite(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: false);

    /// <summary>ISO-8601 round-trip text: fixed width for UTC, so text order is time order (lease comparisons rely on it).</summary>
    protected override object TimeValue(DateTime utc) => utc.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    protected override DateTime ReadTime(DbDataReader reader, int ordinal) =>
        DateTime.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    protected override bool IsStoreFailure(Exception ex) =>
        ex is SqliteException or InvalidCastException or InvalidOperationException or FormatException or OverflowException or ArgumentOutOfRangeException;

    /// <summary>
    /// SQLITE_NOTADB (26) and SQLITE_CORRUPT (11): a truncated or overwritten file; SQLITE_BUSY (5) and SQLITE_LOCKED
    /// (6): another process holds it; a row of the wrong type: edited by hand.
    /// </summary>
    protected override StoreException Fault(Exception ex)
    {
        string what = ex switch
        {
            SqliteException { SqliteErrorCode: 26 or 11 } => "is not a readable results store (truncated or corrupt); move it aside and run the sweep again to rebuild it from the run directories",
            SqliteException { SqliteErrorCode: 5 or 6 } => "is locked by another process; wait for it to finish",
            SqliteException s => $"cannot be used ({s.Message.TrimEnd('.')})",
            _ => $"holds a value of the wrong type ({ex.Message.TrimEnd('.')}); it was not written by scalelab, or was edited: move it aside and run the sweep again",
        };
        return new StoreException($"{Path}: {what}", ex);
    }
}
