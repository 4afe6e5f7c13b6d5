namespace ScaleLab.Torch.Tests.Measurement;

/// <summary>
/// Tests that read this process's RSS run alone, after the parallel ones: another test allocating or freeing
/// tensors at the same time would move the figures they assert on.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryCollection
{
    public const string Name = "process memory";
}
