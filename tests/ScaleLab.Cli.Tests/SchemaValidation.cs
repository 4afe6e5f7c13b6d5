using System.Text.Json;
using Json.Schema;

namespace ScaleLab.Cli.Tests;

/// <summary>Validates real command output against its schema in docs/schemas with a JSON Schema validator (JsonSchema.Net).</summary>
internal static class SchemaValidation
{
    // A schema registers its $id once per process: build each one once, for every test that uses it.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<JsonSchema>> Schemas = new(StringComparer.Ordinal);

    public static void AssertValid(string schemaFile, string json)
    {
        var schema = Schemas.GetOrAdd(schemaFile, f => new Lazy<JsonSchema>(() =>
            JsonSchema.FromText(File.ReadAllText(Path.Combine(RepoRoot(), "docs", "schemas", f))))).Value;
        using var document = JsonDocument.Parse(json);
        var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid) return;
        var problems = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Take(10);
        Assert.Fail($"{schemaFile}: output does not validate:\n{string.Join("\n", problems)}");
    }

    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
