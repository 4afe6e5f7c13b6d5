using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests;

/// <summary>Proves the native library loads on this OS (build/TorchSharpLoadingFix.targets) and computes correctly.</summary>
public sealed class TorchSharpLoadsTests
{
    [Fact]
    public void Matmul_OfTwo2x2Matrices_GivesTheKnownProduct()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var b = tensor(new float[] { 5, 6, 7, 8 }, [2, 2]);
        using var c = a.matmul(b);
        Assert.Equal([19f, 22, 43, 50], c.data<float>().ToArray());
    }

    [Fact]
    public void Backward_OfSumOfSquares_GivesTwiceTheInput()
    {
        using var x = tensor(new float[] { 1, -2, 3 }, requires_grad: true);
        using var two = 2.ToScalar();
        using var y = x.pow(two).sum();
        y.backward();
        Assert.Equal(14f, y.item<float>());
        Assert.Equal([2f, -4, 6], x.grad!.data<float>().ToArray());
    }

    [Fact]
    public void LinearLayerStep_ReducesTheLoss()
    {
        torch.manual_seed(0);
        using var layer = nn.Linear(4, 1);
        using var optimizer = optim.SGD(layer.parameters(), 0.1);
        using var x = randn(32, 4);
        using var y = x.sum(1, keepdim: true);           // (32, 1): a target the layer can learn exactly
        float first = 0, last = 0;
        for (int step = 0; step < 20; step++)
        {
            optimizer.zero_grad();
            using var loss = nn.functional.mse_loss(layer.forward(x), y);
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < first / 10, $"loss went from {first} to {last}");
    }
}
