namespace ScaleLab.Torch.Compression.Onnx;

/// <summary>ONNX TensorProto.DataType values used here.</summary>
internal enum OnnxType { Float = 1, UInt8 = 2, Int8 = 3, Int32 = 6, Int64 = 7 }

/// <summary>
/// Builds a small ONNX ModelProto (opset 17 plus com.microsoft 1) node by node. Field numbers follow onnx.proto:
/// ModelProto{ir_version=1, producer_name=2, graph=7, opset_import=8}, GraphProto{node=1, name=2, initializer=5,
/// input=11, output=12}, NodeProto{input=1, output=2, name=3, op_type=4, attribute=5, domain=7},
/// TensorProto{dims=1, data_type=2, name=8, raw_data=9}.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly ProtoWriter _graph = new();
    private int _nodes;

    public OnnxGraph(string name) => _graph.String(2, name);

    public void Input(string name, OnnxType type, params object[] dims) => _graph.Message(11, ValueInfo(name, type, dims));

    public void Output(string name, OnnxType type, params object[] dims) => _graph.Message(12, ValueInfo(name, type, dims));

    public void Initializer(string name, OnnxType type, long[] dims, byte[] raw)
    {
        var tensor = new ProtoWriter().PackedInt64(1, dims).Varint(2, (int)type).String(8, name).Bytes(9, raw);
        _graph.Message(5, tensor);
    }

    public void Initializer(string name, float[] values, params long[] dims)
    {
        var raw = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        Initializer(name, OnnxType.Float, dims, raw);
    }

    /// <summary>Adds a node; <paramref name="intAttributes"/> become INT attributes (type 2).</summary>
    public void Node(string opType, string[] inputs, string[] outputs, string domain = "", params (string Name, long Value)[] intAttributes)
    {
        var node = new ProtoWriter();
        foreach (var i in inputs) node.String(1, i);
        foreach (var o in outputs) node.String(2, o);
        node.String(3, $"{opType}_{_nodes++}").String(4, opType);
        foreach (var (attrName, value) in intAttributes)
            node.Message(5, new ProtoWriter().String(1, attrName).Varint(3, value).Varint(20, 2));
        if (domain.Length > 0) node.String(7, domain);
        _graph.Message(1, node);
    }

    public byte[] ToModel()
    {
        var model = new ProtoWriter()
            .Varint(1, 8) // IR version 8 (ONNX 1.13+), accepted by every recent ONNX Runtime
            .String(2, "scalelab")
            .Message(7, _graph)
            .Message(8, new ProtoWriter().String(1, "").Varint(2, 17))
            .Message(8, new ProtoWriter().String(1, "com.microsoft").Varint(2, 1));
        return model.ToArray();
    }

    /// <summary>ValueInfoProto{name=1, type=2{tensor_type=1{elem_type=1, shape=2{dim=1{dim_value=1 | dim_param=2}}}}}.</summary>
    private static ProtoWriter ValueInfo(string name, OnnxType type, object[] dims)
    {
        var shape = new ProtoWriter();
        foreach (var d in dims)
        {
            var dim = d is string symbolic ? new ProtoWriter().String(2, symbolic) : new ProtoWriter().Varint(1, Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture));
            shape.Message(1, dim);
        }
        var tensorType = new ProtoWriter().Varint(1, (int)type).Message(2, shape);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensorType));
    }
}
