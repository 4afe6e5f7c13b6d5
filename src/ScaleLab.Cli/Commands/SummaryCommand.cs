using System.CommandLine;
using ScaleLab.Cli.Rendering;
using ScaleLab.Core;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Targets;

namespace ScaleLab.Cli.Commands;

/// <summary>`scalelab summary TARGET`: the torchinfo-style per-layer table with totals.</summary>
internal static class SummaryCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("target")
        {
            Description = "A preset name (e.g. keras-mnist-cnn), a spec .json, or a Hugging Face config.json or its folder",
        };
        var seq = new Option<long?>("--seq") { Description = "Tokens per sequence for sequence models [default: the spec's context]" };
        var depth = new Option<int?>("--depth") { Description = "Show rows nested less than this deep (1: top level only, blocks as one row each) [default: all]" };
        var command = new Command("summary",
            "Print every layer with its output shape, parameters and MACs, and the totals (like torchinfo).\n\n"
            + "Example:\n  scalelab summary keras-mnist-cnn\n  scalelab summary llama-2-7b --depth 1");
        command.Arguments.Add(target);
        command.Options.Add(seq);
        command.Options.Add(depth);
        command.SetAction(parse =>
        {
            string text = parse.GetValue(target)!;
            if (TargetResolver.Resolve(text) is not ModelTarget model)
                throw new ScaleLabException($"{text}: summary needs a model spec or config; for a weights file use `scalelab estimate {text}`");
            var cost = ModelAccounting.Account(model.Spec, EstimateCommand.Positive(parse.GetValue(seq), "--seq"));
            int? maxDepth = parse.GetValue(depth);
            if (maxDepth is < 1) throw new ScaleLabException($"--depth {maxDepth}: it must be at least 1");
            SummaryRenderer.Render(Terminal.For(parse.InvocationConfiguration.Output), cost, maxDepth);
            return 0;
        });
        return command;
    }
}
