using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>
/// Base of ScaleLab's own modules. Children and parameters are registered by name in each constructor
/// (register_module / register_parameter), so parameter names are exactly the ones written there
/// ("blocks.0.attn.q_proj.weight") and never depend on C# field names picked up by reflection.
/// </summary>
public abstract class NamedModule : nn.Module<Tensor, Tensor>
{
    protected NamedModule(string name) : base(name) { }

    /// <summary>Deliberately empty: TorchSharp's reflection-based registration would add fields a second time under their C# names.</summary>
    protected override void RegisterComponents() { }
}
