using ScaleLab.Reports.Data;

namespace ScaleLab.Reports.Dashboard;

/// <summary>The entry's "verify" array: every model and batch of the folder's verify.json, estimate beside measurement (empty when there is none).</summary>
internal static class DashboardVerifyJson
{
    public static IReadOnlyList<VerifyRow> Rows(string directory)
    {
        string path = Path.Combine(directory, VerifyResultsReader.FileName);
        return File.Exists(path) ? VerifyResultsReader.Read(path) : [];
    }
}
