using ScaleLab.Torch.Training;
using TorchSharp;
using Adam = ScaleLab.Torch.Training.Adam;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests.Training;

/// <summary>The flat-buffer step (one pass over all parameters) against the per-tensor step: same numbers within fp32 tolerance, same state names.</summary>
public sealed class FlatOptimizerTests
{
    /// <summary>A two-layer net's parameters (5×4, 5, 3×5, 3), drawn from a fixed generator: two identical copies.</summary>
    private static List<(string, Parameter)> Net()
    {
        var generator = new Generator(5);
        return
        [
            ("layers.1.weight", new Parameter(randn([5, 4], generator: generator))),
            ("layers.1.bias", new Parameter(randn([5], generator: generator))),
            ("layers.3.weight", new Parameter(randn([3, 5], generator: generator))),
            ("layers.3.bias", new Parameter(randn([3], generator: generator))),
        ];
    }

    private static Tensor Loss(List<(string, Parameter)> p, Tensor x)
    {
        var hidden = nn.functional.relu(x.matmul(p[0].Item2.t()).add(p[1].Item2, Scalars.One));   // (8, 5)
        var output = hidden.matmul(p[2].Item2.t()).add(p[3].Item2, Scalars.One);                 // (8, 3)
        using var two = 2.ToScalar();
        return output.pow(two).mean();
    }

    private static void Compare(Func<List<(string, Parameter)>, bool, ScaleLab.Torch.Training.Optimizer> make, double lr)
    {
        var flatParameters = Net();
        var tensorParameters = Net();
        using var flat = make(flatParameters, true);
        using var perTensor = make(tensorParameters, false);
        Assert.True(flat.IsFlat);
        Assert.False(perTensor.IsFlat);
        var x = randn([8, 4], generator: new Generator(9));
        for (int step = 0; step < 6; step++)
        {
            flat.ZeroGrad();
            Loss(flatParameters, x).backward();
            flat.Step(lr);
            perTensor.ZeroGrad();
            Loss(tensorParameters, x).backward();
            perTensor.Step(lr);
        }

        for (int i = 0; i < flatParameters.Count; i++)
        {
            var (name, a) = flatParameters[i];
            var b = tensorParameters[i].Item2;
            Assert.True(a.allclose(b, rtol: 1e-6, atol: 1e-7), $"{name}: flat {a.ToString(TorchSharp.TensorStringStyle.Julia)} vs per-tensor {b.ToString(TorchSharp.TensorStringStyle.Julia)}");
            Assert.False(a.allclose(Net()[i].Item2), $"{name} did not move");
        }

        // Checkpoints find state by name, so the order may differ (flat lists slot by slot); names, shapes and values may not.
        var flatState = flat.State.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        var tensorState = perTensor.State.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(tensorState.Select(s => (s.Name, string.Join('x', s.Tensor.shape))), flatState.Select(s => (s.Name, string.Join('x', s.Tensor.shape))));
        for (int i = 0; i < flatState.Count; i++)
            Assert.True(flatState[i].Tensor.allclose(tensorState[i].Tensor, rtol: 1e-6, atol: 1e-7), $"state {flatState[i].Name}");
    }

    [Fact]
    public void Adam_FlatStep_MatchesPerTensorStepOverSixSteps() =>
        Compare((p, flat) => new Adam(p, 0.9, 0.999, 1e-8, 0.01, decoupled: false, flat), 0.01);

    [Fact]
    public void AdamW_FlatStep_MatchesPerTensorStepOverSixSteps() =>
        Compare((p, flat) => new Adam(p, 0.9, 0.95, 1e-8, 0.1, decoupled: true, flat), 0.01);

    [Fact]
    public void SgdNesterovWithDecay_FlatStep_MatchesPerTensorStepOverSixSteps() =>
        Compare((p, flat) => new Sgd(p, momentum: 0.9, nesterov: true, weightDecay: 0.01, flat), 0.05);

    [Fact]
    public void RmsPropWithMomentum_FlatStep_MatchesPerTensorStepOverSixSteps() =>
        Compare((p, flat) => new RmsProp(p, 0.99, 1e-8, 0.5, 0.0, flat), 0.001);

    [Fact]
    public void Flat_LoadState_WritesIntoTheSharedBuffer()
    {
        var parameters = Net();
        using var adam = new Adam(parameters, 0.9, 0.999, 1e-8, 0, decoupled: false);
        using var half = 0.5.ToScalar();
        var saved = adam.State.ToDictionary(s => s.Name, s => full_like(s.Tensor, half));
        adam.LoadState(saved, steps: 3);
        Assert.Equal(3, adam.Steps);
        Assert.All(adam.State, s => Assert.True(s.Tensor.eq(half).all().item<bool>(), s.Name));
    }

    [Fact]
    public void Flat_ParameterReplacedAfterwards_StepThrowsNamingIt()
    {
        var parameters = Net();
        using var sgd = new Sgd(parameters, momentum: 0, nesterov: false, weightDecay: 0);
        using (no_grad()) parameters[2].Item2.set_(zeros(3, 5));
        var error = Assert.Throws<InvalidOperationException>(() => sgd.Step(0.1));
        Assert.Equal("parameter 'layers.3.weight' (or its gradient) was replaced after its optimizer was created; create the optimizer after the model is final", error.Message);
    }

    [Fact]
    public void Flat_MixedDtypes_FallsBackToPerTensor()
    {
        List<(string, Parameter)> parameters = [("a", new Parameter(zeros(3))), ("b", new Parameter(zeros(3, dtype: ScalarType.Float64)))];
        using var adam = new Adam(parameters, 0.9, 0.999, 1e-8, 0, decoupled: false);
        Assert.False(adam.IsFlat);
    }
}
