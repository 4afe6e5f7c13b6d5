using ScaleLab.Core.Spec;
using static ScaleLab.Core.Tests.Spec.SpecTestJson;

namespace ScaleLab.Core.Tests.Spec;

/// <summary>One test per way a spec file can be wrong in its JSON, each asserting the whole message.</summary>
public class SpecErrorTests
{
    [Fact]
    public void Should_Reject_Invalid_Json() =>
        Assert.StartsWith("model.json: line 1: not valid JSON: ", Error("""{"name": "x",, }"""));

    [Fact]
    public void Should_Reject_A_Layer_That_Is_Not_An_Object() =>
        Assert.Equal("model.json: layers[0]: expected a JSON object, found 5", Error(Stack("[4]", "5")));

    [Fact]
    public void Should_Reject_A_Layer_Without_Type() =>
        Assert.StartsWith("model.json: layers[0]: missing field 'type' (one of: linear, conv1d, conv2d,", Error(Stack("[4]", """{"units": 3}""")));

    [Fact]
    public void Should_Reject_An_Unknown_Type_Listing_Valid_Types() =>
        Assert.Equal("model.json: layers[0] (conv3d): unknown type \"conv3d\"; valid types: linear, conv1d, conv2d, max_pool1d, max_pool2d, "
            + "avg_pool1d, avg_pool2d, adaptive_avg_pool1d, adaptive_avg_pool2d, global_avg_pool1d, global_avg_pool2d, flatten, batchnorm1d, "
            + "batchnorm2d, layernorm, rmsnorm, dropout, relu, leaky_relu, gelu, silu, tanh, sigmoid, softmax, embedding, rnn, lstm, gru, attention, residual",
            Error(Stack("[4]", """{"type": "conv3d"}""")));

    [Fact]
    public void Should_Reject_A_Missing_Required_Field() =>
        Assert.Equal("model.json: layers[1] (linear): missing field 'units' (the output width, e.g. 128)",
            Error(Stack("[4]", """{"type": "relu"}""", """{"type": "linear"}""")));

    [Fact]
    public void Should_Reject_A_Count_That_Is_Not_An_Integer() =>
        Assert.Equal("model.json: layers[0] (linear): units is \"ten\"; it must be an integer, from 1 to 16777216",
            Error(Stack("[4]", """{"type": "linear", "units": "ten"}""")));

    [Fact]
    public void Should_Reject_A_Count_Below_Its_Minimum() =>
        Assert.Equal("model.json: layers[0] (linear): units is 0; it must be from 1 to 16777216", Error(Stack("[4]", """{"type": "linear", "units": 0}""")));

    [Fact]
    public void Should_Reject_A_Bool_That_Is_Not_A_Bool() =>
        Assert.Equal("model.json: layers[0] (linear): bias is \"yes\"; it must be true or false",
            Error(Stack("[4]", """{"type": "linear", "units": 2, "bias": "yes"}""")));

    [Fact]
    public void Should_Reject_A_Dropout_Rate_Of_One_Or_More() =>
        Assert.Equal("model.json: layers[0] (dropout): rate is 1.5; it must be at least 0 and below 1",
            Error(Stack("[4]", """{"type": "dropout", "rate": 1.5}""")));

    [Fact]
    public void Should_Reject_A_Number_That_Is_Not_A_Number() =>
        Assert.Equal("model.json: layers[0] (layernorm): eps is \"small\"; it must be a number",
            Error(Stack("[4]", """{"type": "layernorm", "eps": "small"}""")));

    [Fact]
    public void Should_Reject_A_Kernel_List_Of_The_Wrong_Length() =>
        Assert.Equal("model.json: layers[0] (conv2d): kernel is [3, 3, 3]; it must be an integer, at least 1, or a list of 2 such integers",
            Error(Stack("[1, 8, 8]", """{"type": "conv2d", "filters": 4, "kernel": [3, 3, 3]}""")));

    [Fact]
    public void Should_Reject_An_Unknown_Field_Listing_Valid_Fields() =>
        Assert.Equal("model.json: layers[0] (conv2d): unknown field 'filter'; valid fields here: bias, dilation, filters, groups, kernel, name, padding, stride, type",
            Error(Stack("[1, 8, 8]", """{"type": "conv2d", "filters": 4, "filter": 4, "kernel": 3}""")));

    [Fact]
    public void Should_Reject_A_Name_That_Is_Not_A_String() =>
        Assert.Equal("model.json: layers[0] (relu): name is 5; it must be a string", Error(Stack("[4]", """{"type": "relu", "name": 5}""")));

    [Fact]
    public void Should_Reject_An_Unknown_Padding_Word() =>
        Assert.Equal("model.json: layers[0] (conv2d): padding is \"full\"; it must be \"same\", \"valid\", an integer, at least 0, or a list of 2 such integers",
            Error(Stack("[1, 8, 8]", """{"type": "conv2d", "filters": 4, "kernel": 3, "padding": "full"}""")));

    [Fact]
    public void Should_Reject_Pool_Padding_Over_Half_The_Kernel() =>
        Assert.Equal("model.json: layers[0] (max_pool2d): padding 2 is more than half of kernel 3; PyTorch allows at most 1",
            Error(Stack("[1, 8, 8]", """{"type": "max_pool2d", "kernel": 3, "padding": 2}""")));

    [Fact]
    public void Should_Reject_Kv_Heads_That_Do_Not_Divide_Heads() =>
        Assert.Equal("model.json: layers[0] (attention): kv_heads 3 does not divide heads 4; grouped-query attention shares each K/V head among heads/kv_heads query heads",
            Error(Stack("[8, 16]", """{"type": "attention", "heads": 4, "kv_heads": 3}""")));

    [Fact]
    public void Should_Reject_A_Residual_Without_Body() =>
        Assert.Equal("model.json: layers[0] (residual): missing field 'body' (the list of layers whose output is added to the input)",
            Error(Stack("[4]", """{"type": "residual"}""")));

    [Fact]
    public void Should_Reject_A_Residual_With_An_Empty_Body() =>
        Assert.Equal("model.json: layers[0] (residual): body is an empty list; a residual block needs at least one layer",
            Error(Stack("[4]", """{"type": "residual", "body": []}""")));

    [Fact]
    public void Should_Reject_Layers_That_Are_Not_A_List() =>
        Assert.Equal("model.json: layers: expected a list of layers, found an object", Error("""{"name": "t", "input": [4], "layers": {"type": "relu"}}"""));

    [Fact]
    public void Should_Reject_Residuals_Nested_Too_Deep()
    {
        string layer = """{"type": "relu"}""";
        for (int i = 0; i < LayerSpecJson.MaxNesting + 1; i++) layer = $$"""{"type": "residual", "body": [{{layer}}]}""";
        Assert.EndsWith("residual blocks are nested 17 deep; at most 16 levels are allowed", Error(Stack("[4]", layer)));
    }

    [Fact]
    public void Should_Reject_Too_Many_Layers_In_One_List()
    {
        string layers = string.Join(", ", Enumerable.Repeat("""{"type": "relu"}""", LayerSpecJson.MaxLayers + 1));
        Assert.Equal("model.json: layers: 100001 layers; at most 100000 are allowed in one list", Error(Stack("[4]", layers)));
    }

    [Fact]
    public void Should_Reject_A_Spec_Without_Name() =>
        Assert.Equal("model.json: top level: missing field 'name' (what to call the model, e.g. \"my-mlp\")",
            Error("""{"input": [4], "layers": [{"type": "relu"}]}"""));

    [Fact]
    public void Should_Reject_An_Empty_Name() =>
        Assert.Equal("model.json: top level: name is \"\"; give the model a name, e.g. \"my-mlp\"",
            Error("""{"name": "", "input": [4], "layers": [{"type": "relu"}]}"""));

    [Fact]
    public void Should_Reject_An_Unknown_Task() =>
        Assert.Equal("model.json: top level: task is \"ranking\"; it must be classification, regression or language_model",
            Error("""{"name": "t", "task": "ranking", "input": [4], "layers": [{"type": "relu"}]}"""));

    [Fact]
    public void Should_Reject_An_Unknown_Top_Level_Field() =>
        Assert.StartsWith("model.json: top level: unknown field 'inputs'; valid fields here: ",
            Error("""{"name": "t", "inputs": [4], "layers": [{"type": "relu"}]}"""));

    [Fact]
    public void Should_Reject_Both_Layers_And_Transformer() =>
        Assert.Equal("model.json: top level: has both 'layers' and 'transformer'; a spec is either a layer stack or a transformer",
            Error("""{"name": "t", "layers": [], "transformer": {}}"""));

    [Fact]
    public void Should_Reject_Input_On_A_Transformer() =>
        Assert.Equal("model.json: top level: 'input' is for layer stacks; a transformer takes 'context' (the sequence length)",
            Error("""{"name": "t", "input": [4], "transformer": {}}"""));

    [Fact]
    public void Should_Reject_A_Non_Positive_Context() =>
        Assert.Equal("model.json: top level: context is 0; it must be a positive integer (tokens per sequence), e.g. 1024",
            Error("""{"name": "t", "context": 0, "transformer": {}}"""));

    [Fact]
    public void Should_Reject_Context_On_A_Layer_Stack() =>
        Assert.Equal("model.json: top level: 'context' is for transformers; a layer stack's sequence length is the first entry of 'input'",
            Error("""{"name": "t", "context": 8, "input": [4], "layers": [{"type": "relu"}]}"""));

    [Fact]
    public void Should_Reject_A_Spec_With_Neither_Layers_Nor_Transformer() =>
        Assert.Equal("model.json: top level: missing field 'layers' (a list of layers) or 'transformer' (a transformer's hyper-parameters)",
            Error("""{"name": "t", "input": [4]}"""));

    [Fact]
    public void Should_Reject_A_Layer_Stack_Without_Input() =>
        Assert.Equal("model.json: top level: missing field 'input' (one sample's shape without the batch dimension, e.g. [1, 28, 28] or [784])",
            Error("""{"name": "t", "layers": [{"type": "relu"}]}"""));

    [Fact]
    public void Should_Reject_An_Empty_Layer_List() =>
        Assert.Equal("model.json: top level: layers is an empty list; a model needs at least one layer", Error(Stack("[4]")));

    [Fact]
    public void Should_Reject_An_Input_Shape_With_A_Zero() =>
        Assert.Equal("model.json: top level: input is [1, 0, 28]; it must be a list of 1 to 8 positive integers of at most 16777216, e.g. [1, 28, 28]",
            Error(Stack("[1, 0, 28]", """{"type": "relu"}""")));

    [Fact]
    public void Should_Reject_An_Input_Shape_That_Overflows() =>
        Assert.Equal("model.json: top level: input 16777216x16777216x16777216x16777216 has more elements than a 64-bit count can hold",
            Error(Stack("[16777216, 16777216, 16777216, 16777216]", """{"type": "relu"}""")));

    [Fact]
    public void Should_Reject_A_Missing_File()
    {
        string path = Path.Combine(Path.GetTempPath(), "scalelab-does-not-exist.json");
        var ex = Assert.Throws<SpecException>(() => ModelSpecJson.Load(path));
        Assert.Equal($"scalelab-does-not-exist.json: file: no such file: {path}", ex.Message);
    }

    [Fact]
    public void Should_Reject_A_File_Larger_Than_The_Limit()
    {
        string path = Path.Combine(Path.GetTempPath(), $"scalelab-big-{Guid.NewGuid():N}.json");
        using (var stream = File.Create(path)) stream.SetLength(ModelSpecJson.MaxFileBytes + 1);
        try
        {
            var ex = Assert.Throws<SpecException>(() => ModelSpecJson.Load(path));
            Assert.Equal($"{Path.GetFileName(path)}: file: 16777217 bytes; a model spec is at most 16777216 bytes", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Should_Name_The_Nested_Place_Of_A_Bad_Layer() =>
        Assert.Equal("model.json: layers[0].body[1] (linear): missing field 'units' (the output width, e.g. 128)",
            Error(Stack("[4]", """{"type": "residual", "body": [{"type": "relu"}, {"type": "linear"}]}""")));

    [Fact]
    public void Should_Reject_An_Input_Dimension_Beyond_The_Limit() =>
        Assert.Equal("model.json: top level: input is [4294967296, 4294967296]; it must be a list of 1 to 8 positive integers of at most 16777216, e.g. [1, 28, 28]",
            Error(Stack("[4294967296, 4294967296]", """{"type": "relu"}""")));

    [Fact]
    public void Should_Reject_Units_Near_Two_To_The_62_Naming_The_Field() =>
        Assert.Equal("model.json: layers[0] (linear): units is 4611686018427387904; it must be from 1 to 16777216",
            Error(Stack("[8]", """{"type": "linear", "units": 4611686018427387904}""")));

    [Fact]
    public void Should_Reject_A_Kernel_Beyond_The_Limit() =>
        Assert.Equal("model.json: layers[0] (conv2d): kernel is 100000; at most 65536 is accepted",
            Error(Stack("[1, 8, 8]", """{"type": "conv2d", "filters": 2, "kernel": 100000}""")));

    [Fact]
    public void Should_Reject_Wide_Layers_Whose_Counts_Overflow_Naming_The_Layer() =>
        Assert.Equal("model.json: layers[0]: with input 16777216x16777216 its parameter, FLOP or activation counts exceed 64 bits; use smaller layers or a smaller input",
            Assert.Throws<SpecException>(() => ScaleLab.Core.Accounting.ModelAccounting.Account(
                ModelSpecJson.Parse(Stack("[16777216, 16777216]", """{"type": "linear", "units": 16777216}, {"type": "linear", "units": 16777216}"""), "model.json"))).Message);

    [Fact]
    public void Should_Reject_A_Key_Given_Twice()
    {
        string message = Error("""{"name": "m", "input": [4], "input": [8], "layers": [{"type": "relu"}]}""");
        Assert.StartsWith("model.json: file: not valid JSON: Duplicate", message);
        Assert.Contains("'input'", message, StringComparison.Ordinal);
    }
}
