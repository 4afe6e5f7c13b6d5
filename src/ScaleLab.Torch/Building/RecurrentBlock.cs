using ScaleLab.Core.Spec;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>
/// RNN / LSTM / GRU over batch-first (B, S, F). With return_sequences it yields (B, S, D·H); without, the final
/// hidden state of the top layer, (B, D·H): for a bidirectional layer that is the forward direction after the
/// last step joined with the backward direction after the first — each has read the whole sequence, which
/// output[:, -1] would not give for the backward half. Parameters sit under "rnn" with torch.nn's names.
/// </summary>
public sealed class RecurrentBlock : NamedModule
{
    private readonly nn.Module _rnn;
    private readonly RecurrentLayer _spec;

    public RecurrentBlock(RecurrentLayer spec, long inputFeatures) : base(nameof(RecurrentBlock))
    {
        _spec = spec;
        _rnn = spec.Kind switch
        {
            RecurrentKind.Lstm => nn.LSTM(inputFeatures, spec.Hidden, spec.NumLayers, spec.Bias, batchFirst: true, bidirectional: spec.Bidirectional),
            RecurrentKind.Gru => nn.GRU(inputFeatures, spec.Hidden, spec.NumLayers, spec.Bias, batchFirst: true, bidirectional: spec.Bidirectional),
            _ => nn.RNN(inputFeatures, spec.Hidden, spec.NumLayers, bias: spec.Bias, batchFirst: true, bidirectional: spec.Bidirectional),
        };
        register_module("rnn", _rnn);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor output, lastHidden;   // output (B, S, D·H); lastHidden (L·D, B, H)
        switch (_rnn)
        {
            case LSTM lstm:
                (output, lastHidden, _) = lstm.call(input);
                break;
            case GRU gru:
                (output, lastHidden) = gru.call(input);
                break;
            default:
                (output, lastHidden) = ((RNN)_rnn).call(input);
                break;
        }

        if (_spec.ReturnSequences) return output.MoveToOuterDisposeScope();
        int directions = _spec.Bidirectional ? 2 : 1;
        var top = lastHidden.narrow(0, lastHidden.shape[0] - directions, directions);   // (D, B, H)
        return top.transpose(0, 1).reshape(input.shape[0], directions * _spec.Hidden).MoveToOuterDisposeScope();   // (B, D·H)
    }
}
