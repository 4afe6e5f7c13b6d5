namespace ScaleLab.Core.Runs;

/// <summary>The sweep-directory layout (docs/sweeps.md): the store file and the trials' run directories.</summary>
public static class SweepFiles
{
    /// <summary>The sweep's SQLite results store.</summary>
    public const string ResultsDb = "results.db";

    /// <summary>The folder of the trials' run directories, DIR/trials/ID/.</summary>
    public const string TrialsFolder = "trials";
}
