using System.Text.Json;

namespace ScaleLab.Cli.Tests;

/// <summary>
/// The launch recipes in examples/cluster/ run commands this scalelab accepts: the worker command line of the Slurm
/// script and of the Kubernetes Job parses without errors, and the Job takes the store URL from a Secret.
/// (The Slurm script itself ran end to end with examples/cluster/try-slurm-single-node.sh; docs/sweeps.md.)
/// </summary>
public sealed class ClusterExamplesTests
{
    private static string Example(string name, [System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        File.ReadAllText(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", "examples", "cluster", name)));

    private static void AssertParses(string[] arguments)
    {
        var parse = CliApp.BuildRoot().Parse(arguments);
        Assert.Empty(parse.Errors.Select(e => e.Message));
        Assert.Equal("worker", parse.CommandResult.Command.Name);
    }

    [Fact]
    public void SlurmScript_RunsAWorkerCommandThatParses()
    {
        string line = Example("slurm-workers.sbatch").Split('\n').Single(l => l.StartsWith("exec $SCALELAB worker", StringComparison.Ordinal));
        string expanded = line["exec $SCALELAB ".Length..]
            .Replace("\"$SCALELAB_STORE\"", "postgresql://scalelab@db:5432/study", StringComparison.Ordinal)
            .Replace("\"$SWEEP\"", "mlp-width", StringComparison.Ordinal)
            .Replace("\"${SLURM_CPUS_PER_TASK:-1}\"", "4", StringComparison.Ordinal);

        AssertParses(expanded.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("#SBATCH --array=", Example("slurm-workers.sbatch"), StringComparison.Ordinal);
    }

    [Fact]
    public void KubernetesJob_RunsAWorkerCommandThatParsesWithTheStoreFromASecret()
    {
        string yaml = Example("k8s-workers.yaml");
        string args = yaml.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("args: ", StringComparison.Ordinal))["args: ".Length..];

        AssertParses(JsonSerializer.Deserialize<string[]>(args)!);
        Assert.Contains("parallelism: 4", yaml, StringComparison.Ordinal);
        Assert.Contains("- name: SCALELAB_STORE\n              valueFrom:\n                secretKeyRef:", yaml, StringComparison.Ordinal);
    }
}
