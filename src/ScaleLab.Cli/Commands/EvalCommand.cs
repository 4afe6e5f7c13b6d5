using System.CommandLine;
using System.Globalization;
using ScaleLab.Core.Runs;
using ScaleLab.Core;
using ScaleLab.Torch.Data;
using ScaleLab.Torch.Evaluation;
using ScaleLab.Torch.Runs;
using ScaleLab.Torch.Training;
using Spectre.Console;

namespace ScaleLab.Cli.Commands;

/// <summary>`scalelab eval RUN`: evaluates a trained run's checkpoint on its test (or validation) split.</summary>
internal sealed class EvalCommand
{
    private readonly Argument<string> Run = new("run") { Description = "A run directory written by `scalelab train --out`" };
    private readonly Option<string?> Data = new("--data") { Description = "Evaluate on other data (same forms as train --data); default: the run's own" };
    private readonly Option<string> Split = new("--split") { Description = "test | val", DefaultValueFactory = _ => "test" };
    private readonly Option<string> Checkpoint = new("--checkpoint") { Description = "best | last", DefaultValueFactory = _ => "best" };
    private readonly Option<int?> Threads = new("--threads") { Description = "CPU threads for libtorch" };
    private readonly Option<bool> Json = new("--json") { Description = "Print one JSON document, schema scalelab.eval/1 (docs/schemas/eval.schema.json)" };

    /// <summary>What was evaluated: the model, the data set, the split and the checkpoint.</summary>
    internal sealed record EvalSubject(string Model, string Data, string Split, string Checkpoint);

    /// <summary>A new command with its own options: System.CommandLine symbols record their parents, so two commands never share one.</summary>
    public static Command Create() => new EvalCommand().Build();

    private Command Build()
    {
        var command = new Command("eval",
            "Evaluate a trained run: loss, accuracy, top-k, per-class precision/recall/F1 with macro and weighted averages, and the confusion matrix " +
            "(MSE/MAE/R² for regression, perplexity for language models).\n\nExamples:\n  scalelab eval runs/mlp --split test\n  scalelab eval runs/mlp --json");
        command.Arguments.Add(Run);
        foreach (var option in new Option[] { Data, Split, Checkpoint, Threads, Json }) command.Options.Add(option);
        command.SetAction(parse => Execute(parse));
        return command;
    }

    private int Execute(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        string split = parse.GetValue(Split)!;
        if (split is not ("test" or "val")) throw new ScaleLabException($"--split: '{split}' is not one of test, val");
        using var torchThreads = ScaleLab.Torch.TorchThreads.Use(parse.GetValue(Threads));
        var (spec, model, config) = RunDirectory.LoadModel(parse.GetValue(Run)!, parse.GetValue(Checkpoint)!);
        using (model)
        {
            var request = config.Data.ToRequest(config.Seed);
            if (parse.GetValue(Data) is string data) request = DataRequest.FromArgument(data, request);
            using var bundle = DataSources.Load(request);
            var sampleShape = DataFit.Check(spec, bundle, model);
            var whole = split == "test" ? bundle.Test : bundle.Validation;
            using var set = sampleShape is null ? whole.Rename(whole.Name) : DataFit.Reshaped(whole, sampleShape);
            if (set.Count == 0) throw new ScaleLabException($"the {split} split of {bundle.Description} is empty");
            var result = Evaluator.Evaluate(model, set, bundle.Task, bundle.Classes, config.ResolvedEvalBatchSize, Trainer.DeviceFor(ComputeDevice.Cpu));
            var subject = new EvalSubject(spec.Name, set.Name, split, parse.GetValue(Checkpoint)!);
            if (parse.GetValue(Json)) output.WriteLine(EvalJson.Write(subject, result, bundle.ClassNames));
            else WriteReport(output, $"{subject.Model} on {subject.Data} ({split}, {subject.Checkpoint} checkpoint)", result, bundle.ClassNames);
        }

        return 0;
    }

    private static void WriteReport(TextWriter output, string title, EvaluationResult r, IReadOnlyList<string>? classNames)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        output.WriteLine(title);
        var overview = new Table().Border(TableBorder.Rounded);
        overview.AddColumn("metric");
        overview.AddColumn(new TableColumn("value").RightAligned());
        overview.AddRow("samples", I(r.Samples));
        overview.AddRow("loss", F(r.Loss));
        if (r.Accuracy is double accuracy) overview.AddRow("accuracy", F(accuracy));
        if (r.TopK is double topK) overview.AddRow($"top-{I(r.K)} accuracy", F(topK));
        if (r.Perplexity is double ppl) overview.AddRow("perplexity", F(ppl));
        if (r.Regression is { } reg)
        {
            overview.AddRow("MSE", F(reg.Mse));
            overview.AddRow("MAE", F(reg.Mae));
            overview.AddRow("R²", F(reg.R2));
        }

        console.Write(overview);
        if (r.Classification is { } c && c.PerClass.Count <= 100)
        {
            console.Write(PerClassTable(c, classNames));
            console.Write(ConfusionTable(c, classNames));
        }
    }

    private static Table PerClassTable(ClassificationReport c, IReadOnlyList<string>? names)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("per class");
        table.AddColumn("class");
        foreach (string h in (string[])["precision", "recall", "F1", "support"]) table.AddColumn(new TableColumn(h).RightAligned());
        foreach (var m in c.PerClass) table.AddRow(Markup.Escape(Name(m.Class, names)), F(m.Precision), F(m.Recall), F(m.F1), I(m.Support));
        table.AddRow("macro avg", F(c.Macro.Precision), F(c.Macro.Recall), F(c.Macro.F1), I(c.Macro.Support));
        table.AddRow("weighted avg", F(c.Weighted.Precision), F(c.Weighted.Recall), F(c.Weighted.F1), I(c.Weighted.Support));
        return table;
    }

    private static Table ConfusionTable(ClassificationReport c, IReadOnlyList<string>? names)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("confusion matrix (rows: true class, columns: predicted)");
        table.AddColumn("true \\ predicted");
        for (int p = 0; p < c.Confusion.Length; p++) table.AddColumn(new TableColumn(I(p)).RightAligned());
        for (int t = 0; t < c.Confusion.Length; t++)
        {
            table.AddRow([Markup.Escape($"{I(t)} {Name(t, names)}"), .. c.Confusion[t].Select(I)]);
        }

        return table;
    }

    private static string Name(int id, IReadOnlyList<string>? names) => names is not null && id < names.Count ? names[id] : I(id);

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
}
