using ScaleLab.Core;
using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Torch.Measurement;

namespace ScaleLab.Cli.Commands;

/// <summary>The machine profile a step-time prediction uses (verify, estimate --time).</summary>
internal static class MachineProfiles
{
    /// <summary>
    /// The profile named, else this thread count's default file, else one measured now and saved there: one pass (25–70 s
    /// on the build machines), where `scalelab calibrate` takes the median of three, so a first verify does not wait minutes.
    /// </summary>
    public static (MachineProfile Profile, string Source) For(string? path, IProgress<string> progress, TextWriter error)
    {
        if (path is not null) return (MachineProfileJson.Load(path), path);
        int threads = TorchSharp.torch.get_num_threads();
        string fallback = MachineProfileJson.DefaultPath(threads);
        if (File.Exists(fallback))
        {
            // The default file is a cache: one an older ScaleLab wrote (another schema, a field it lacked) is measured
            // again rather than refused. A profile named by --profile is the user's and is never replaced.
            try
            {
                return (MachineProfileJson.Load(fallback), fallback);
            }
            catch (ScaleLabException ex)
            {
                error.WriteLine($"the saved machine profile is not usable ({ex.Message}): measuring a new one now (scalelab calibrate --passes 1), saved to {fallback}");
            }
        }
        else
        {
            error.WriteLine($"no machine profile for {threads} thread{(threads == 1 ? "" : "s")} yet: measuring one now (scalelab calibrate --passes 1), saved to {fallback}");
        }

        var profile = MachineCalibration.Measure(progress: progress, passes: 1);
        MachineProfileJson.Save(profile, fallback);
        return (profile, fallback);
    }
}
