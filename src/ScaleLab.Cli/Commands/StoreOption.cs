using System.CommandLine;
using ScaleLab.Experiments.Store;

namespace ScaleLab.Cli.Commands;

/// <summary>`--store URL` of the commands that read or write a results store, and `--sweep NAME` of those that read one sweep of it.</summary>
internal static class StoreOption
{
    public static Option<string?> Create() => new("--store")
    {
        Description = $"Results store: sqlite:PATH or postgresql://USER@HOST:PORT/DB (default ${StoreLocation.EnvironmentVariable}, else DIR/results.db; docs/sweeps.md)",
    };

    public static Option<string?> CreateSweepName() => new("--sweep") { Description = "The sweep's name in the store (default: every sweep it holds)" };

    /// <summary>The store named by --store or $SCALELAB_STORE, or null when neither is set.</summary>
    public static StoreLocation? Resolve(ParseResult parse, Option<string?> option) => StoreLocation.Resolve(parse.GetValue(option));
}
