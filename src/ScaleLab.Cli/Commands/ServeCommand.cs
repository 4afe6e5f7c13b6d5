using ScaleLab.Experiments.Store;
using System.CommandLine;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleLab.Core;
using ScaleLab.Reports.Dashboard;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// `scalelab serve DIR`: the live dashboard over a runs folder, a sweep or a study directory. One process, three
/// routes: the page, the listing and one entry (DashboardJson); entries are found by id in the listing only, so a
/// URL can never name a file. Bound to 127.0.0.1 unless --host says otherwise, and then only with --token.
/// </summary>
internal sealed class ServeCommand
{
    private readonly Argument<string> Directory = new("dir") { Description = "A runs folder, a sweep or study directory, or one run directory", DefaultValueFactory = _ => "." };
    private readonly Option<string> Host = new("--host") { Description = "Address to listen on (default 127.0.0.1: this machine only)", DefaultValueFactory = _ => "127.0.0.1" };
    private readonly Option<int> Port = new("--port") { Description = "Port (default 8050; 0 picks a free one)", DefaultValueFactory = _ => 8050 };
    private readonly Option<string?> Token = new("--token") { Description = "Secret every request must carry (?token=…): required when --host is not a loopback address" };

    /// <summary>Not <see cref="StoreOption.Resolve"/>: $SCALELAB_STORE set for workers must not turn `serve DIR` into a view of the store.</summary>
    private readonly Option<string?> Store = new("--store")
    {
        Description = "Serve a results store's sweeps instead of a folder: sqlite:PATH or postgresql://USER@HOST:PORT/DB (docs/sweeps.md)",
    };

    /// <summary>A new command with its own options: System.CommandLine symbols record their parents, so two commands never share one.</summary>
    public static Command Create() => new ServeCommand().Build();

    private Command Build()
    {
        var command = new Command("serve",
            "Serve a live dashboard of runs and sweeps: status, learning curves that grow while training, loss vs parameters with the fitted law, compression tables. "
            + "Self-contained (no external assets); Ctrl+C stops it.\n\nExamples:\n  scalelab serve study\n  scalelab serve runs --port 0\n  scalelab serve sweeps --host 0.0.0.0 --token s3cret\n  scalelab serve --store sqlite:study/results.db");
        command.Arguments.Add(Directory);
        foreach (var option in (Option[])[Host, Port, Token, Store]) command.Options.Add(option);
        command.SetAction(async (parse, ct) =>
        {
            string root = Path.GetFullPath(parse.GetValue(Directory)!);
            var store = parse.GetValue(Store) is { } storeUrl ? StoreLocation.Parse(storeUrl) : null;
            if (store is null && !System.IO.Directory.Exists(root)) throw new ScaleLabException($"serve: {root}: no such directory; give a runs folder, a sweep or a study directory");
            string host = parse.GetValue(Host)!;
            if (!IPAddress.TryParse(host, out var address)) throw new ScaleLabException($"--host '{host}': not an IP address; use 127.0.0.1 (default) or e.g. 0.0.0.0");
            int port = parse.GetValue(Port);
            if (port is < 0 or > 65535) throw new ScaleLabException($"--port {port}: must be 0 (a free port) to 65535");
            string? token = parse.GetValue(Token);
            if (!IPAddress.IsLoopback(address) && string.IsNullOrEmpty(token))
                throw new ScaleLabException($"--host {host}: other machines could read every run; add --token SECRET (or keep the default 127.0.0.1)");

            if (store is not null) (store.OpenExisting() as IDisposable)?.Dispose();   // a wrong URL fails here, not on every request
            await using var app = Build(root, address, port, token, store);
            await app.StartAsync(ct).ConfigureAwait(false);
            string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"serving {store?.Display ?? root} at {url}/{(token is null ? "" : "?token=" + Uri.EscapeDataString(token))}  (Ctrl+C stops)");
            output.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: the normal way to stop a server.
            }

            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return CliApp.ExitOk;
        });
        return command;
    }

    /// <param name="store">When given, the entries are its sweeps (opened for each request, so a study that workers are filling shows as it grows) and <paramref name="root"/> is not read.</param>
    internal static WebApplication Build(string root, IPAddress address, int port, string? token, StoreLocation? store = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, port));
        var app = builder.Build();
        if (token is not null)
        {
            byte[] expected = Encoding.UTF8.GetBytes(token);
            app.Use(async (context, next) =>
            {
                string given = context.Request.Query["token"].ToString();
                // Constant-time: how much of a guess matched must not show in the response time.
                if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), expected))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    await context.Response.WriteAsync("missing or wrong ?token=").ConfigureAwait(false);
                    return;
                }

                await next(context).ConfigureAwait(false);
            });
        }

        app.MapGet("/", () => Results.Content(DashboardPage.Html, "text/html; charset=utf-8"));
        if (store is null)
        {
            app.MapGet("/api/entries", () => Results.Content(DashboardJson.Listing(root, SweepLoader.Instance), "application/json"));
            app.MapGet("/api/entries/{id}", (string id) => DashboardCatalog.Find(root, id, SweepLoader.Instance) is { } entry
                ? Results.Content(DashboardJson.Entry(entry, SweepLoader.Instance), "application/json")
                : NotInListing(id));
            return app;
        }

        app.MapGet("/api/entries", () => WithStore(store, DashboardJson.Listing));
        app.MapGet("/api/entries/{id}", (string id) => WithStore(store, s => DashboardCatalog.Find(s, id) is { } entry ? DashboardJson.Entry(entry, s) : null) is { } json
            ? json
            : NotInListing(id));
        return app;
    }

    private static IResult NotInListing(string id) =>
        Results.Content(System.Text.Json.JsonSerializer.Serialize($"no entry '{id}' in the listing"), "application/json", statusCode: StatusCodes.Status404NotFound);

    /// <summary>The store opened for one request and closed after it: connections are not shared across Kestrel's threads.</summary>
    private static IResult? WithStore(StoreLocation location, Func<Core.Runs.ISweepResults, string?> answer)
    {
        var store = location.OpenExisting();
        try
        {
            return answer(store) is { } json ? Results.Content(json, "application/json") : null;
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }
}
