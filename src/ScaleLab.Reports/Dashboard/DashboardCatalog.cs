using System.Globalization;
using ScaleLab.Core.Runs;
using ScaleLab.Reports.Data;

namespace ScaleLab.Reports.Dashboard;

/// <summary>One thing the dashboard shows: a run directory, a sweep (a results store or trials/ folder), or a folder holding a verify.json.</summary>
/// <param name="Id">The only handle a browser gets: the path below the served root with '/' written as '~' (a store's sweep: "sweep-ID").</param>
/// <param name="Directory">The folder the entry is read from; for a store's sweep, the sweep directory it names (maybe on another machine, maybe "").</param>
/// <param name="StoreSweepId">The sweep's id in the served store; null for a folder.</param>
public sealed record DashboardEntry(string Id, string Name, string Directory, long? StoreSweepId = null);

/// <summary>
/// What is under the served folder: the folder itself when it holds trials or a verify.json, else every folder up to
/// two levels down that does (runs/mlp, sweeps/mlp-width), not looking inside one that does. A request names an entry by id and is
/// answered only when that id is in this listing, so no part of a URL ever becomes part of a path.
/// </summary>
public static class DashboardCatalog
{
    /// <summary>How deep below the root entries are looked for: runs/NAME and sweeps/NAME are two levels.</summary>
    public const int MaxDepth = 2;

    /// <summary>
    /// The id of the served folder itself (a sweep or study directory served directly). Not ".": a browser
    /// normalises /api/entries/. to /api/entries/, the listing, so such an entry could never be opened.
    /// </summary>
    public const string RootId = "~";

    public static IReadOnlyList<DashboardEntry> List(string root, ISweepSource sweeps)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(sweeps);
        string full = Path.GetFullPath(root);
        if (Shows(full, sweeps)) return [new DashboardEntry(RootId, Path.GetFileName(Path.TrimEndingDirectorySeparator(full)), full)];
        var found = new List<DashboardEntry>();
        Walk(full, full, 1, found, sweeps);
        return found;
    }

    /// <summary>The entry with this id, or null: the lookup every request goes through.</summary>
    public static DashboardEntry? Find(string root, string id, ISweepSource sweeps) => List(root, sweeps).FirstOrDefault(e => e.Id == id);

    /// <summary>The sweeps of a results store (`serve --store`), one entry each, in the store's order.</summary>
    public static IReadOnlyList<DashboardEntry> List(ISweepResults store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return [.. store.Sweeps().Select(s => new DashboardEntry(string.Create(CultureInfo.InvariantCulture, $"sweep-{s.Id}"), s.Name, s.Directory ?? "", s.Id))];
    }

    /// <summary>The store's sweep with this id, or null.</summary>
    public static DashboardEntry? Find(ISweepResults store, string id) => List(store).FirstOrDefault(e => e.Id == id);

    private static bool Shows(string directory, ISweepSource sweeps) =>
        sweeps.Holds(directory) || File.Exists(Path.Combine(directory, VerifyResultsReader.FileName));

    private static void Walk(string root, string directory, int depth, List<DashboardEntry> found, ISweepSource sweeps)
    {
        foreach (string child in Directory.GetDirectories(directory).Order(StringComparer.Ordinal))
        {
            // Links could lead out of the served folder: they are not followed.
            if (new DirectoryInfo(child).LinkTarget is not null) continue;
            string relative = Path.GetRelativePath(root, child).Replace(Path.DirectorySeparatorChar, '~');
            if (Shows(child, sweeps)) found.Add(new DashboardEntry(relative, Path.GetRelativePath(root, child), child));
            else if (depth < MaxDepth) Walk(root, child, depth + 1, found, sweeps);
        }
    }
}
