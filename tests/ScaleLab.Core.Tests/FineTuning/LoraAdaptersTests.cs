using ScaleLab.Core.FineTuning;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Tests.FineTuning;

/// <summary>
/// LoRA's trainable parameters, r·(in + out) per targeted matrix per layer (Hu et al. 2021, §4.1), against what PEFT's
/// print_trainable_parameters reports for meta-llama/Llama-2-7b-hf: r = 8 on q_proj, v_proj "trainable params:
/// 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622"; r = 16 on q, k, v, o, gate, up, down "Trainable
/// Parameters: 39,976,960 || All Parameters: 6,778,392,576".
/// </summary>
public class LoraAdaptersTests
{
    private static TransformerSpec Llama2 => ModelPresets.Load("llama-2-7b").Transformer!;

    [Fact]
    public void Llama2_7B_Rank8_QV_Is4194304_AsPeftPrints()
    {
        long hand = 32L * 2 * 8 * (4096 + 4096);
        Assert.Equal(4_194_304, hand);
        Assert.Equal(hand, LoraAdapters.Count(Llama2, new LoraConfig(8)).Parameters);
        Assert.Equal(6_742_609_920, 6_738_415_616 + hand);   // PEFT's "all params"
    }

    [Fact]
    public void Llama2_7B_Rank16_AllLinear_Is39976960_AsPeftPrints()
    {
        // q, k, v, o: 16·(4096 + 4096) each; gate, up: 16·(4096 + 11008); down: 16·(11008 + 4096).
        long hand = 32L * ((4 * 16 * (4096 + 4096)) + (3 * 16 * (4096 + 11_008)));
        Assert.Equal(39_976_960, hand);
        Assert.Equal(hand, LoraAdapters.Count(Llama2, new LoraConfig(16, Targets: LoraTargets.AllLinear)).Parameters);
        Assert.Equal(6_778_392_576, 6_738_415_616 + hand);
    }

    [Fact]
    public void Mixtral_AllLinear_AdaptsEveryExpertButNotTheRouter()
    {
        // Attention: q, o 8·(4096 + 4096); k, v 8·(4096 + 1024) (8 KV heads of 128). Experts: 8 × (gate, up, down) 8·(4096 + 14336).
        var m = ModelPresets.Load("mixtral-8x7b").Transformer!;
        long perLayer = (2 * 8 * (4096 + 4096)) + (2 * 8 * (4096 + 1024)) + (8 * 3 * 8 * (4096 + 14_336));
        var count = LoraAdapters.Count(m, new LoraConfig(8, Targets: LoraTargets.AllLinear));
        Assert.Equal(32 * perLayer, count.Parameters);
        Assert.DoesNotContain(count.Rows, r => r.Matrix.Module == "router");
        Assert.Equal(2, count.Rows.Single(r => r.Matrix.Module == "experts.down").Matrix.ActiveCopies);
    }

    [Fact]
    public void PlainFfn_HasNoGate_SoGateTargetsNothing()
    {
        var gpt2 = ModelPresets.Load("gpt2-small").Transformer!;
        Assert.Equal(0, LoraAdapters.Count(gpt2, new LoraConfig(8, Targets: LoraTargets.Gate)).Parameters);
        Assert.Equal(12L * 8 * (768 + 3072), LoraAdapters.Count(gpt2, new LoraConfig(8, Targets: LoraTargets.Up)).Parameters);
    }

    [Theory]
    [InlineData("q,v", LoraTargets.Q | LoraTargets.V)]
    [InlineData("all-linear", LoraTargets.AllLinear)]
    [InlineData("q_proj, k_proj,v_proj,o_proj", LoraTargets.Q | LoraTargets.K | LoraTargets.V | LoraTargets.O)]
    [InlineData("gate,up,down", LoraTargets.Gate | LoraTargets.Up | LoraTargets.Down)]
    public void Targets_Parse_ShortAndPeftNames(string text, LoraTargets expected) =>
        Assert.Equal(expected, LoraTargetsInfo.Parse(text));

    [Fact]
    public void Should_Reject_An_Unknown_Target_Module() =>
        Assert.Equal("--lora-targets 'q,lm_head': unknown module 'lm_head'; valid: all-linear, or a comma list of q, k, v, o, gate, up, down",
            Assert.Throws<FineTuneException>(() => LoraTargetsInfo.Parse("q,lm_head")).Message);

    [Fact]
    public void Should_Reject_A_Rank_Of_Zero() =>
        Assert.Equal("--lora-rank 0: it must be from 1 to 65536 (8, 16, 64 are usual)",
            Assert.Throws<FineTuneException>(() => new LoraConfig(0).Validated()).Message);

    [Fact]
    public void Should_Reject_A_Lora_Dropout_Of_One() =>
        Assert.Equal("--lora-dropout 1: it must be at least 0 and below 1 (0.05 and 0.1 are usual)",
            Assert.Throws<FineTuneException>(() => new LoraConfig(8, Dropout: 1).Validated()).Message);

    [Fact]
    public void Should_Reject_A_Negative_Alpha() =>
        Assert.Equal("--lora-alpha -1: it must be a positive number (16 or 2 × rank are usual)",
            Assert.Throws<FineTuneException>(() => new LoraConfig(8, Alpha: -1).Validated()).Message);

    [Fact]
    public void Should_Reject_An_Unknown_Method() =>
        Assert.Equal("--finetune 'dora': unknown; valid: full, lora, qlora",
            Assert.Throws<FineTuneException>(() => FineTuneMethodInfo.Parse("dora")).Message);

    [Fact]
    public void DeepSeekV2Lite_AllLinear_FollowsItsLayers()
    {
        // 27 layers of MLA: q_proj (2048 → 16·192), kv_a_proj_with_mqa (2048 → 576), kv_b_proj (512 → 16·256), o_proj (16·128 → 2048);
        // layer 0 dense (gate, up, down at 10,944); layers 1–26 route: 64 experts × (gate, up, down) at 1,408, the shared
        // experts' FFN at 2·1,408. The router is not adapted.
        var m = ModelPresets.Load("deepseek-v2-lite").Transformer!;
        long r = 8;
        long attention = r * ((2048 + 3072) + (2048 + 576) + (512 + 4096) + (2048 + 2048));
        long dense = r * 3 * (2048 + 10_944);
        long routed = (64 * r * 3 * (2048 + 1408)) + (r * 3 * (2048 + 2816));
        var count = LoraAdapters.Count(m, new LoraConfig(8, Targets: LoraTargets.AllLinear));
        Assert.Equal((27 * attention) + dense + (26 * routed), count.Parameters);
    }

    [Fact]
    public void DeepSeekV2Lite_QAndV_AdaptsOnlyQProj()
    {
        // PEFT's target_modules ["q_proj", "v_proj"] on DeepseekV2: q_proj exists, no module is named v_proj.
        var m = ModelPresets.Load("deepseek-v2-lite").Transformer!;
        var count = LoraAdapters.Count(m, new LoraConfig(8, Targets: LoraTargets.Q | LoraTargets.V));
        Assert.Equal(27L * 8 * (2048 + 3072), count.Parameters);
    }
}


public class WeightTensorInventoryTests
{
    [Fact]
    public void WeightTensors_DeepSeekV2Lite_LeaveOnlyTheNormsOver()
    {
        // The GGUF inventory (deepseek2 names) holds every matrix; what is left of the count is the norms:
        // per layer input and post-attention norms (2·2048) and kv_a_layernorm (512), and the final norm.
        var spec = ModelPresets.Load("deepseek-v2-lite");
        var cost = ScaleLab.Core.Accounting.ModelAccounting.Account(spec, 1);
        long matrices = ScaleLab.Core.NumberFormats.WeightTensors.Of(spec.Transformer!).Sum(t => t.Elements);
        Assert.Equal((27L * ((2 * 2048) + 512)) + 2048, cost.Parameters - matrices);
    }
}
