using Npgsql;

namespace ScaleLab.Experiments.Store;

/// <summary>Which database a store lives in.</summary>
public enum StoreKind { Sqlite, Postgres }

/// <summary>
/// A parsed `--store` (or $SCALELAB_STORE): `sqlite:PATH` (a results.db file, or a directory holding one) or
/// `postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=MODE]` (also postgres://). <see cref="Display"/> is the text
/// with any password replaced by ***: it is the only form that appears in messages. A password may also come from
/// $PGPASSWORD or ~/.pgpass, which Npgsql reads itself.
/// </summary>
public sealed record StoreLocation
{
    public const string EnvironmentVariable = "SCALELAB_STORE";

    /// <summary>The port PostgreSQL listens on when the URL names none.</summary>
    public const int DefaultPostgresPort = 5432;

    private const string Usage = "use sqlite:PATH or postgresql://USER@HOST:PORT/DB";

    private static readonly string[] SslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

    private StoreLocation(StoreKind kind, string display, string? sqlitePath, NpgsqlConnectionStringBuilder? postgres)
    {
        Kind = kind;
        Display = display;
        SqlitePath = sqlitePath;
        Postgres = postgres;
    }

    public StoreKind Kind { get; }

    /// <summary>The location for people, password masked.</summary>
    public string Display { get; }

    /// <summary>The database file, for <see cref="StoreKind.Sqlite"/>.</summary>
    public string? SqlitePath { get; }

    private NpgsqlConnectionStringBuilder? Postgres { get; }

    /// <summary>`--store` if given, else $SCALELAB_STORE, else null (the caller's default: DIR/results.db).</summary>
    public static StoreLocation? Resolve(string? option, string source = "--store")
    {
        string? text = option ?? Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(text)) return null;
        return Parse(text, option is null ? "$" + EnvironmentVariable : source);
    }

    public static StoreLocation Parse(string text, string source = "--store")
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("sqlite:", StringComparison.Ordinal))
        {
            string path = text["sqlite:".Length..];
            if (path.Length == 0) throw new StoreException($"{source}: 'sqlite:' names no file; {Usage}");
            string full = Path.GetFullPath(path);
            if (Directory.Exists(full)) full = Path.Combine(full, SqliteResultsStore.FileName);
            return new StoreLocation(StoreKind.Sqlite, "sqlite:" + full, full, null);
        }
        if (text.StartsWith("postgresql://", StringComparison.Ordinal) || text.StartsWith("postgres://", StringComparison.Ordinal))
            return ParsePostgres(text, source);
        throw new StoreException($"{source}: '{Mask(text)}' is not a store; {Usage}");
    }

    private static StoreLocation ParsePostgres(string text, string source)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
            throw new StoreException($"{source}: '{Mask(text)}' is not a valid URL; {Usage}");
        string[] userInfo = uri.UserInfo.Split(':', 2);
        string user = Uri.UnescapeDataString(userInfo[0]);
        string? password = userInfo.Length == 2 ? Uri.UnescapeDataString(userInfo[1]) : null;
        string database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (user.Length == 0) throw new StoreException($"{source}: '{Mask(text)}' names no user; {Usage}");
        if (database.Length == 0 || database.Contains('/', StringComparison.Ordinal))
            throw new StoreException($"{source}: '{Mask(text)}' names no database; end it with /DB ({Usage})");
        int port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPostgresPort : uri.Port;
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = port,
            Username = user,
            Database = database,
            Timeout = 10,
            ApplicationName = "scalelab",
        };
        if (password is not null) builder.Password = password;
        foreach (string pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            string value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            if (kv[0] != "sslmode")
                throw new StoreException($"{source}: '{Mask(text)}': query parameter '{kv[0]}' is not supported; only sslmode is");
            if (!SslModes.Contains(value, StringComparer.Ordinal))
                throw new StoreException($"{source}: '{Mask(text)}': sslmode '{value}' is not one of {string.Join(", ", SslModes)}");
            builder.SslMode = Enum.Parse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true);
        }
        return new StoreLocation(StoreKind.Postgres, Mask(text), null, builder);
    }

    /// <summary>The text with the password of a URL (between "user:" and "@") replaced by ***.</summary>
    public static string Mask(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0) return text;
        int at = text.IndexOf('@', scheme + 3);
        if (at < 0) return text;
        int colon = text.IndexOf(':', scheme + 3);
        if (colon < 0 || colon > at) return text;
        return text[..(colon + 1)] + "***" + text[at..];
    }

    /// <summary>Opens the store (creating or migrating its schema).</summary>
    public IResultsStore Open() => Kind == StoreKind.Sqlite
        ? SqliteResultsStore.OpenFile(SqlitePath!)
        : PostgresResultsStore.Open(Display, new NpgsqlConnectionStringBuilder(Postgres!.ConnectionString));

    /// <summary>Opens a store that must already exist, for commands that only read (a SQLite file that is missing is an error, not a new file).</summary>
    public IResultsStore OpenExisting()
    {
        if (Kind == StoreKind.Sqlite && !File.Exists(SqlitePath))
            throw new StoreException($"{Display}: no such results store; submit a sweep to it first (`scalelab sweep SWEEP.json --store {Display} --submit`)");
        return Open();
    }

    public override string ToString() => Display;
}
