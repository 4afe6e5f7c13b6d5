using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ScaleLab.Tests.Shared;

/// <summary>
/// A private PostgreSQL server for the tests of one test process: initdb into a fresh folder under /tmp, a free TCP
/// port on 127.0.0.1 (password, SCRAM) and its Unix socket in the same folder, run as the `postgres` user (via
/// runuser) when the tests run as root, since the server refuses to run as root. Started on first use, stopped and
/// deleted when the process exits. When no server binaries are installed it installs Debian's `postgresql` package
/// (apt-get, as root), so `dotnet test ScaleLab.sln -c Release` passes on a fresh machine: that is the only download
/// the tests make.
/// </summary>
internal sealed class PostgresServer
{
    public const string User = "scalelab";
    public const string Password = "scalelab-test-password";

    private static readonly Lazy<PostgresServer> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _databases;

    private readonly string _bin, _root;

    private PostgresServer(string bin, string root, int port)
    {
        _bin = bin;
        _root = root;
        Port = port;
    }

    public static PostgresServer Instance => Shared.Value;

    public int Port { get; }

    /// <summary>The URL of a database on this server, with the right password unless one is given.</summary>
    public string Url(string database, string password = Password) =>
        $"postgresql://{User}:{password}@127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/{database}";

    /// <summary>A new empty database (one per test, so tests never see each other's rows); returns its URL.</summary>
    public string CreateDatabase()
    {
        string name = $"t{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username={User};Password={Password};Database=postgres;Pooling=false");
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
        command.ExecuteNonQuery();
        return Url(name);
    }

    private static PostgresServer Start()
    {
        string bin = FindBinaries() ?? Install();
        string root = Path.Combine("/tmp", "scalelab-pg-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(root);
        bool asRoot = Environment.UserName == "root";
        File.WriteAllText(Path.Combine(root, "pwfile"), Password + "\n");
        if (asRoot) Run("chown", ["-R", "postgres:postgres", root]);
        RunAsServer(asRoot, Path.Combine(bin, "initdb"), ["-D", Path.Combine(root, "data"), "-U", User, "--pwfile", Path.Combine(root, "pwfile"),
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-instructions"]);
        int port = FreePort();
        // fsync off: a test server's data is thrown away, and fsync is most of its write time.
        string options = $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off";
        RunAsServer(asRoot, Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(root, "data"), "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "-o", options, "start"]);
        var server = new PostgresServer(bin, root, port);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop(asRoot);
        StartWatchdog(asRoot, bin, root);
        return server;
    }

    /// <summary>
    /// The test host is not always allowed to finish ProcessExit (the runner may kill it once the tests are done), so
    /// a detached shell stops the server and deletes its folder once this process is gone.
    /// </summary>
    private static void StartWatchdog(bool asRoot, string bin, string root)
    {
        string stop = (asRoot ? "runuser -u postgres -- " : "") + $"'{Path.Combine(bin, "pg_ctl")}' -D '{Path.Combine(root, "data")}' -m immediate -w stop";
        string script = $"while [ -d /proc/{Environment.ProcessId} ]; do sleep 1; done; [ -d '{root}/data' ] && {stop} >/dev/null 2>&1; rm -rf '{root}'";
        var info = new ProcessStartInfo("setsid", ["bash", "-c", script]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        Process.Start(info)!.Dispose();
    }

    private void Stop(bool asRoot)
    {
        try
        {
            RunAsServer(asRoot, Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_root, "data"), "-m", "immediate", "-w", "stop"]);
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"PostgresServer: could not stop the test server in {_root}: {ex.Message}");
        }
    }

    /// <summary>The newest /usr/lib/postgresql/N/bin holding initdb (Debian's layout), or null.</summary>
    private static string? FindBinaries()
    {
        const string lib = "/usr/lib/postgresql";
        if (!Directory.Exists(lib)) return null;
        return Directory.GetDirectories(lib)
            .Select(d => (Version: int.TryParse(Path.GetFileName(d), out int v) ? v : -1, Bin: Path.Combine(d, "bin")))
            .Where(d => d.Version > 0 && File.Exists(Path.Combine(d.Bin, "initdb")))
            .OrderByDescending(d => d.Version)
            .Select(d => d.Bin)
            .FirstOrDefault();
    }

    private static string Install()
    {
        if (Environment.UserName != "root")
            throw new InvalidOperationException("PostgreSQL server binaries are missing (no /usr/lib/postgresql/N/bin/initdb) and the tests are not root: run `sudo apt-get install -y postgresql` once");
        var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        if (TryRun("apt-get", ["install", "-y", "--no-install-recommends", "postgresql"], env) != 0)
        {
            Run("apt-get", ["update"], env);
            Run("apt-get", ["install", "-y", "--no-install-recommends", "postgresql"], env);
        }
        return FindBinaries() ?? throw new InvalidOperationException("apt-get installed postgresql but no /usr/lib/postgresql/N/bin/initdb appeared");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void RunAsServer(bool asRoot, string program, string[] arguments)
    {
        if (asRoot) Run("runuser", ["-u", "postgres", "--", program, .. arguments]);
        else Run(program, arguments);
    }

    private static void Run(string program, string[] arguments, Dictionary<string, string>? env = null)
    {
        int code = TryRun(program, arguments, env, out string output);
        if (code != 0) throw new InvalidOperationException($"{program} {string.Join(" ", arguments)} exited with {code}: {output}");
    }

    private static int TryRun(string program, string[] arguments, Dictionary<string, string>? env) => TryRun(program, arguments, env, out _);

    private static int TryRun(string program, string[] arguments, Dictionary<string, string>? env, out string output) =>
        ChildProcess.Run(program, arguments, env, out output);
}
