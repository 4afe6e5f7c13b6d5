using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Targets;

/// <summary>What a TARGET argument named: a model to count, or a checkpoint file to read headers from.</summary>
public abstract record Target(string Text);

/// <summary>A model spec: from a preset, a spec .json, or a Hugging Face config.json.</summary>
public sealed record ModelTarget(string Text, ModelSpec Spec, TargetOrigin Origin) : Target(Text);

/// <summary>A weights file (.safetensors, a sharded model.safetensors.index.json, .gguf): counted from its headers.</summary>
public sealed record CheckpointTarget(string Text, string Path, CheckpointFormat Format) : Target(Text);

public enum TargetOrigin { Preset, SpecFile, HuggingFaceConfig }

public enum CheckpointFormat { Safetensors, SafetensorsIndex, Gguf }
