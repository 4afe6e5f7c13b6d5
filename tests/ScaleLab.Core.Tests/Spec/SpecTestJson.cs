using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Tests.Spec;

/// <summary>Small builders for spec JSON in tests: a stack over an input, and the message a bad spec fails with.</summary>
internal static class SpecTestJson
{
    public static string Stack(string input, params string[] layers) =>
        $$"""{"name": "t", "input": {{input}}, "layers": [{{string.Join(", ", layers)}}]}""";

    public static ModelSpec Parse(string json) => ModelSpecJson.Parse(json, "model.json");

    public static string Error(string json) =>
        Assert.Throws<SpecException>(() => ModelSpecJson.Parse(json, "model.json")).Message;
}
