using ScaleLab.Cli;
using ScaleLab.Cli.Rendering;
using ScaleLab.Torch.Measurement;

// Commands that train cap glibc's malloc arenas before libtorch starts its threads (MallocControl.LimitArenas: the
// peak RSS of `scalelab train`); a MALLOC_ARENA_MAX the user set wins. `verify` is left alone: its memory figures are
// calibrated against glibc's defaults.
if (args.Length > 0 && args[0] is "train" or "study" or "sweep" or "worker" or "compress" && Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is null)
    MallocControl.LimitArenas(MallocControl.TrainingArenas);
RendererWarmup.StartFor(args);
if (MeasuringProcess.Wanted(args) && MeasuringProcess.Run(args) is int code) return code;
return CliApp.Run(args);
