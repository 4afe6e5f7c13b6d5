using System.Globalization;
using ScaleLab.Experiments.Running;

namespace ScaleLab.Experiments.Tests;

/// <summary>
/// A stand-in for `scalelab trial` (TrialProcess): a bash script with the same arguments that writes a run directory the
/// way the engine does (metrics.jsonl, checkpoints/last.json, summary.json) and prints the trial protocol's progress
/// events (complete, as ProgressEvent.Parse requires them), without training.
/// Validation loss of epoch e is lr × 100 + 1/e, so trials rank by lr. lr 0.5 fails with exit code 3; with
/// dieAtEpoch the first (non-resumed) attempt kills itself (and its host) with SIGKILL after that epoch. Each start is
/// appended to RUN/invocations.log, the process that ran it to hosts.log, and start/end times to the shared timeline
/// file. With `trial --host` it is a trial host: one request line on stdin a trial, each ended with the exit frame.
/// </summary>
internal static class FakeTrial
{
    private const string Script = """
        #!/bin/bash
        [ "$1" = "trial" ] || { echo "expected trial, got $1" >&2; exit 2; }
        shift
        run_trial() {
        resume=0
        while [ $# -gt 0 ]; do
          case "$1" in
            --spec) spec="$2"; shift 2;;
            --config) cfg="$2"; shift 2;;
            --out) out="$2"; shift 2;;
            --threads) threads="$2"; shift 2;;
            --resume) resume=1; shift;;
            *) echo "unknown argument $1" >&2; exit 2;;
          esac
        done
        [ -f "$spec" ] || { echo "no spec $spec" >&2; exit 2; }
        epochs=$(grep -o '"epochs": *[0-9]*' "$cfg" | grep -o '[0-9]*$')
        lr=$(grep -o '"lr": *[0-9.eE+-]*' "$cfg" | sed 's/.*: *//')
        mkdir -p "$out/checkpoints"
        start=1
        if [ $resume = 1 ]; then start=$(( $(grep -o '"epoch": *[0-9]*' "$out/checkpoints/last.json" | grep -o '[0-9]*$') + 1 )); fi
        echo "start=$start threads=$threads resume=$resume" >> "$out/invocations.log"
        echo "$$ $out" >> "__HOSTS__"
        echo "begin $(date +%s.%N)" >> "__TIMELINE__"
        if [ "$lr" = "0.5" ]; then echo "boom: lr 0.5 is cursed" >&2; exit 3; fi
        [ $resume = 1 ] || rm -f "$out/metrics.jsonl"
        for ((e=start; e<=epochs; e++)); do
          sleep __SECONDS__
          val=$(awk -v lr="$lr" -v e="$e" 'BEGIN { printf "%.6f", lr * 100 + 1 / e }')
          row="\"epoch\":$e,\"step\":$((e*10)),\"train_loss\":$val,\"train_accuracy\":0.5,\"val_loss\":$val,\"val_accuracy\":0.5,\"lr\":$lr,\"epoch_seconds\":0.05,\"samples_per_second\":1000"
          echo "{$row}" >> "$out/metrics.jsonl"
          echo "{\"epoch\":$e}" > "$out/checkpoints/last.json"
          echo "{\"status\":\"running\",\"epochs_completed\":$e,\"steps\":$((e*10)),\"parameters\":100}" > "$out/summary.json"
          echo "{\"event\":\"step\",\"epoch\":$e,\"epochs\":$epochs,\"step\":10,\"steps_per_epoch\":10,\"global_step\":$((e*10)),\"loss\":$val,\"learning_rate\":$lr,\"samples_per_second\":1000,\"epoch_elapsed_seconds\":0.05}"
          echo "{\"event\":\"epoch\",$row}"
          if [ "__DIE__" = "$e" ] && [ $resume = 0 ]; then kill -9 $$ $BASHPID; fi
        done
        echo "{\"status\":\"completed\",\"epochs_completed\":$epochs,\"steps\":$((epochs*10)),\"parameters\":100,\"estimated_parameters\":100,\"forward_flops_per_sample\":200,\"training_flops\":6000000,\"step_seconds_mean\":0.005,\"train_seconds\":0.5,\"peak_rss_bytes\":1048576,\"samples_seen\":10000,\"best\":{\"epoch\":$epochs,\"val_loss\":$val},\"test\":{\"samples\":100,\"loss\":$val,\"accuracy\":0.5,\"k\":5}}" > "$out/summary.json"
        echo "end $(date +%s.%N)" >> "__TIMELINE__"
        echo "{\"event\":\"done\",\"status\":\"completed\",\"epochs_completed\":$epochs}"
        }
        if [ "$1" != "--host" ]; then run_trial "$@"; exit $?; fi
        # A trial host: one JSON array of arguments a line (plain paths: no commas or quotes inside).
        while read -r line; do
          line=${line#[}; line=${line%]}
          IFS=',' read -ra parts <<< "$line"
          args=()
          for p in "${parts[@]}"; do p=${p#\"}; args+=("${p%\"}"); done
          ( run_trial "${args[@]}" )
          code=$?
          echo "{\"trial_exit\":$code}" >&2
          echo "{\"trial_exit\":$code}"
        done
        """;

    /// <summary>Writes the script into <paramref name="directory"/> and returns the command that runs it.</summary>
    public static TrialCommand Create(string directory, double epochSeconds = 0.02, int? dieAtEpoch = null)
    {
        string path = Path.Combine(directory, "fake-train.sh");
        File.WriteAllText(path, Script
            .Replace("__SECONDS__", epochSeconds.ToString("0.###", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("__DIE__", dieAtEpoch?.ToString(CultureInfo.InvariantCulture) ?? "none", StringComparison.Ordinal)
            .Replace("__TIMELINE__", Timeline(directory), StringComparison.Ordinal)
            .Replace("__HOSTS__", Hosts(directory), StringComparison.Ordinal));
        return new TrialCommand("/bin/bash", [path]);
    }

    public static string Timeline(string directory) => Path.Combine(directory, "timeline.log");

    /// <summary>"PID RUN" for each trial run: the process (trial host) that ran it.</summary>
    public static string Hosts(string directory) => Path.Combine(directory, "hosts.log");

    /// <summary>The process id that ran each trial, by run directory, in the order they ran.</summary>
    public static IReadOnlyList<(int Pid, string Run)> HostRuns(string directory) =>
        [.. File.ReadAllLines(Hosts(directory)).Select(l => l.Split(' ', 2)).Select(p => (int.Parse(p[0], CultureInfo.InvariantCulture), p[1]))];

    /// <summary>The most trial processes that were alive at the same moment, from the timeline.</summary>
    public static int MaxConcurrent(string directory)
    {
        int now = 0, max = 0;
        var events = File.ReadAllLines(Timeline(directory))
            .Select(l => l.Split(' '))
            .Select(p => (Time: double.Parse(p[1], CultureInfo.InvariantCulture), Delta: p[0] == "begin" ? 1 : -1))
            .OrderBy(e => e.Time).ThenBy(e => e.Delta);
        foreach (var e in events) max = Math.Max(max, now += e.Delta);
        return max;
    }

    public static string[] Invocations(string runDirectory) => File.ReadAllLines(Path.Combine(runDirectory, "invocations.log"));
}
