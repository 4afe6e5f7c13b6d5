using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Targets;

/// <summary>What a TARGET argument named: a model to count, or a checkpoint file to read headers from.</summary>
public abstract record Target(string Text);

/// <summary>A model spec: from a preset, a spec .json, or a Hugging Face config.json.</summary>
public sealed record ModelTarget(string Text, ModelSpec Spec, TargetOrigin Origin) : Target(Text);

/// <summary>A weights file (.safetensors, a sharded model.safetensors.index.json, .gguf): counted from its headers.</summary>
/// <param name="Note">Why a checkpoint was read instead of what was asked for (a config of an unsupported model_type), for people.</param>
public sealed record CheckpointTarget(string Text, string Path, CheckpointFormat Format, string? Note = null) : Target(Text);

public enum TargetOrigin { Preset, SpecFile, HuggingFaceConfig }

public enum CheckpointFormat { Safetensors, SafetensorsIndex, Gguf }
