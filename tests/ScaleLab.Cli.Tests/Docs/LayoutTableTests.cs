using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ScaleLab.Cli.Tests.Docs;

/// <summary>The README's layout table says which project references which; the project files must agree (Reports → Core only).</summary>
public sealed partial class LayoutTableTests
{
    [Fact]
    public void Readme_ReferencesColumn_IsTheProjectReferenceGraph()
    {
        string repository = RepoRoot();
        var rows = File.ReadAllLines(Path.Combine(repository, "README.md"))
            .Select(l => Row().Match(l)).Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim());
        Assert.Equal(["Cli", "Core", "Experiments", "Reports", "Torch"], rows.Keys.Order(StringComparer.Ordinal));
        foreach (var (project, documented) in rows)
        {
            var references = XDocument.Load(Path.Combine(repository, "src", $"ScaleLab.{project}", $"ScaleLab.{project}.csproj"))
                .Descendants("ProjectReference").Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value)["ScaleLab.".Length..])
                .Order(StringComparer.Ordinal).ToList();
            string expected = references.Count == 0 ? "—" : references.Count == 4 ? "all" : string.Join(", ", references);
            Assert.True(documented == expected, $"README says {project} references '{documented}'; its project file references '{expected}'");
        }
    }

    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));

    [GeneratedRegex(@"^\| `src/ScaleLab\.(\w+)` \|.*\| ([^|]+) \|$")]
    private static partial Regex Row();
}
