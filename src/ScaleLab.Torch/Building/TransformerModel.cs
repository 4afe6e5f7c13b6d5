using System.Globalization;
using ScaleLab.Core.Spec;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>
/// A decoder (GPT, Llama, Mistral, Mixtral) or encoder (BERT) from token ids (B, S) to:
/// logits (B, S, V) when there is an LM head; else the pooled first token (B, D) when there is a pooler;
/// else the final hidden states (B, S, D). BERT's token types are taken as all zero (one segment).
/// With tied embeddings the head multiplies by tok_emb.weight itself — one Parameter, counted once
/// (as nanoGPT's get_num_params explains), while its matmul is still paid.
/// </summary>
public sealed class TransformerModel : NamedModule
{
    private readonly TransformerSpec _spec;
    private readonly Embedding _tokens;
    private readonly Embedding? _positions, _types;
    private readonly nn.Module<Tensor, Tensor>? _embeddingNorm, _finalNorm, _head, _pooler;
    private readonly IReadOnlyList<TransformerBlock> _blocks;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "the blocks are registered submodules: the model disposes them")]
    public TransformerModel(TransformerSpec t) : base(nameof(TransformerModel))
    {
        _spec = t;
        _tokens = nn.Embedding(t.VocabSize, t.DModel);                                        // (V, D)
        register_module("tok_emb", _tokens);
        if (t.Positions == PositionKind.Learned)
        {
            _positions = nn.Embedding(t.MaxPositions, t.DModel);                              // (P, D)
            register_module("pos_emb", _positions);
        }

        if (t.TypeVocabSize > 0)
        {
            _types = nn.Embedding(t.TypeVocabSize, t.DModel);                                 // (T, D)
            register_module("type_emb", _types);
        }

        if (t.EmbeddingNorm)
        {
            _embeddingNorm = TransformerBlock.CreateNorm(t);
            register_module("emb_norm", _embeddingNorm);
        }

        var blocks = new ModuleList<TransformerBlock>();
        for (int i = 0; i < t.Layers; i++) blocks.Add(new TransformerBlock(t, i));
        _blocks = [.. blocks];
        register_module("blocks", blocks);

        if (t.FinalNorm)
        {
            _finalNorm = TransformerBlock.CreateNorm(t);
            register_module("norm", _finalNorm);
        }

        if (t.LmHead && !t.TiedEmbeddings)
        {
            _head = nn.Linear(t.DModel, t.VocabSize, hasBias: false);                         // (V, D)
            register_module("lm_head", _head);
        }

        if (t.Pooler)
        {
            _pooler = nn.Linear(t.DModel, t.DModel, hasBias: true);                           // (D, D) + (D)
            register_module("pooler", _pooler);
        }

        InitialiseLikeGpt2(t.Layers);
    }

    /// <summary>
    /// GPT-2's initialisation as nanoGPT writes it (model.py, _init_weights): every matrix N(0, 0.02), the projections
    /// back into the residual stream (o_proj, down_proj) N(0, 0.02/√(2L)) (GPT-2 paper §2.3), biases 0, norms 1.
    /// torch's defaults (N(0, 1) embeddings) would start a tied model with logits of std √d and a loss far above ln V.
    /// </summary>
    private void InitialiseLikeGpt2(int layers)
    {
        using var noGrad = no_grad();
        double residualStd = 0.02 / Math.Sqrt(2.0 * Math.Max(1, layers));
        foreach (var (name, p) in named_parameters())
        {
            if (p.dim() >= 2)
            {
                bool residual = name.EndsWith("o_proj.weight", StringComparison.Ordinal) || name.EndsWith("down_proj.weight", StringComparison.Ordinal);
                p.normal_(0, residual ? residualStd : 0.02);
            }
            else if (name.EndsWith("bias", StringComparison.Ordinal))
            {
                p.zero_();
            }
        }
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long seq = input.shape[1];
        if (_positions is not null && seq > _spec.MaxPositions)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"sequence length {seq} exceeds max_positions {_spec.MaxPositions}"), nameof(input));
        }

        var x = _tokens.call(input);                                                          // (B, S, D)
        using var length = seq.ToScalar();
        if (_positions is not null) x = x.add(_positions.call(arange(Scalars.Zero, length, Scalars.One, device: input.device)), Scalars.One);   // + (S, D)
        if (_types is not null) x = x.add(_types.call(zeros_like(input)), Scalars.One);       // segment 0
        if (_embeddingNorm is not null) x = _embeddingNorm.call(x);
        foreach (var block in _blocks) x = block.call(x);
        if (_finalNorm is not null) x = _finalNorm.call(x);

        if (_spec.LmHead)
        {
            var logits = _head is null ? nn.functional.linear(x, _tokens.weight!) : _head.call(x);   // (B, S, V)
            return logits.MoveToOuterDisposeScope();
        }

        if (_pooler is not null) return _pooler.call(x.select(1, 0)).tanh().MoveToOuterDisposeScope();   // (B, D)
        return x.MoveToOuterDisposeScope();
    }
}
