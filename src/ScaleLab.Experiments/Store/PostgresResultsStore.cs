using System.Data.Common;
using System.Net.Sockets;
using Npgsql;

namespace ScaleLab.Experiments.Store;

/// <summary>
/// The shared results store of many machines: a PostgreSQL database (docs/sweeps.md), reached through Npgsql with a
/// pool of connections per process. The statements are <see cref="SqlResultsStore"/>'s; claims lock their row with
/// FOR UPDATE SKIP LOCKED, so workers on many machines claim in parallel without ever sharing a trial.
/// </summary>
public sealed class PostgresResultsStore : SqlResultsStore, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _user;

    private PostgresResultsStore(string location, NpgsqlConnectionStringBuilder connection)
    {
        Location = location;
        _user = connection.Username ?? "";
        _dataSource = NpgsqlDataSource.Create(connection);
    }

    public override string Location { get; }

    protected override string ClaimLockClause => " FOR UPDATE OF t SKIP LOCKED";

    /// <summary>Connects, creating or migrating the schema; <paramref name="location"/> is the masked URL used in every message.</summary>
    public static PostgresResultsStore Open(string location, NpgsqlConnectionStringBuilder connection)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(connection);
        var store = new PostgresResultsStore(location, connection);
        try
        {
            using var opened = (NpgsqlConnection)store.Connect();
            PostgresSchema.Ensure(opened, location);
        }
        catch (Exception ex) when (store.IsStoreFailure(ex))
        {
            store.Dispose();
            throw store.Fault(ex);
        }
        catch (StoreException)
        {
            store.Dispose();   // a newer schema, or not a ScaleLab database: the message is already for people
            throw;
        }
        return store;
    }

    protected override DbConnection Connect() => _dataSource.OpenConnection();

    protected override DbTransaction BeginWrite(DbConnection connection) => ((NpgsqlConnection)connection).BeginTransaction();

    protected override object TimeValue(DateTime utc) => utc.ToUniversalTime();

    protected override DateTime ReadTime(DbDataReader reader, int ordinal) => reader.GetDateTime(ordinal).ToUniversalTime();

    protected override bool IsStoreFailure(Exception ex) =>
        ex is NpgsqlException or TimeoutException or InvalidCastException or FormatException or OverflowException;

    /// <summary>
    /// SQLSTATE 28P01: wrong password; 28000: no pg_hba.conf entry lets the user in; 3D000: no such database;
    /// 57P03: the server is starting up or shutting down. A socket error means nothing is listening there.
    /// </summary>
    protected override StoreException Fault(Exception ex)
    {
        string what = ex switch
        {
            PostgresException { SqlState: "28P01" } => $"the server refused the password for user '{_user}'",
            PostgresException { SqlState: "28000" } p => $"the server refused user '{_user}' ({p.MessageText.TrimEnd('.')})",
            PostgresException { SqlState: "3D000" } p => $"{p.MessageText.TrimEnd('.')}; create it first (createdb)",
            PostgresException { SqlState: "57P03" } => "the server is starting up or shutting down; try again in a moment",
            PostgresException p => $"cannot be used ({p.MessageText.TrimEnd('.')}, SQLSTATE {p.SqlState})",
            NpgsqlException { InnerException: SocketException s } => $"cannot connect ({s.Message.TrimEnd('.')}); is the server running and reachable?",
            NpgsqlException { InnerException: TimeoutException } or TimeoutException => "cannot connect (timed out); is the server running and reachable?",
            NpgsqlException n => $"cannot be used ({FirstLine(n.Message)})",
            _ => $"holds a value of the wrong type ({FirstLine(ex.Message)}); it was not written by scalelab, or was edited",
        };
        return new StoreException($"{Location}: {what}", ex);
    }

    private static string FirstLine(string text) => text.Split('\n')[0].TrimEnd('.', '\r');

    public void Dispose() => _dataSource.Dispose();
}
