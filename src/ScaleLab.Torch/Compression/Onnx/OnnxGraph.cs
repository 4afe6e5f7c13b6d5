namespace ScaleLab.Torch.Compression.Onnx;

/// <summary>ONNX TensorProto.DataType values used here.</summary>
internal enum OnnxType { Float = 1, UInt8 = 2, Int8 = 3, Int32 = 6, Int64 = 7 }

/// <summary>A node attribute: exactly one of an int, a float, a list of ints or a string (AttributeProto INT, FLOAT, INTS, STRING).</summary>
internal sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, long[]? Ints = null, string? Text = null)
{
    public static implicit operator OnnxAttribute((string Name, long Value) a) => new(a.Name, Int: a.Value);
}

/// <summary>
/// Builds a small ONNX ModelProto (default opset 17, plus com.microsoft 1) node by node. Field numbers follow onnx.proto:
/// ModelProto{ir_version=1, producer_name=2, graph=7, opset_import=8}, GraphProto{node=1, name=2, initializer=5,
/// input=11, output=12}, NodeProto{input=1, output=2, name=3, op_type=4, attribute=5, domain=7},
/// TensorProto{dims=1, data_type=2, name=8, raw_data=9}, AttributeProto{name=1, f=2, i=3, s=4, ints=8, type=20}.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly ProtoWriter _graph = new();
    private readonly int _opset;
    private int _nodes;

    public OnnxGraph(string name, int opset = 17)
    {
        _graph.String(2, name);
        _opset = opset;
    }

    public int Opset => _opset;

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

    /// <summary>Adds a node of the default domain (or <paramref name="domain"/>); an empty input name is an omitted optional input.</summary>
    public void Node(string opType, string[] inputs, string[] outputs, string domain = "", params OnnxAttribute[] attributes)
    {
        var node = new ProtoWriter();
        foreach (var i in inputs) node.String(1, i);
        foreach (var o in outputs) node.String(2, o);
        node.String(3, $"{opType}_{_nodes++}").String(4, opType);
        foreach (var a in attributes)
        {
            var attribute = new ProtoWriter().String(1, a.Name);
            if (a.Int is long i) attribute.Varint(3, i).Varint(20, 2);
            else if (a.Float is float f) attribute.Float(2, f).Varint(20, 1);
            else if (a.Text is string text) attribute.String(4, text).Varint(20, 3);
            else
            {
                foreach (long v in a.Ints ?? []) attribute.Varint(8, v);   // repeated int64, unpacked as proto2 writes it
                attribute.Varint(20, 7);
            }
            node.Message(5, attribute);
        }
        if (domain.Length > 0) node.String(7, domain);
        _graph.Message(1, node);
    }

    /// <summary>An int64 constant tensor (shapes, axes).</summary>
    public void Int64Initializer(string name, params long[] values)
    {
        var raw = new byte[values.Length * 8];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        Initializer(name, OnnxType.Int64, [values.Length], raw);
    }

    public byte[] ToModel()
    {
        var model = new ProtoWriter()
            .Varint(1, IrVersion(_opset))
            .String(2, "scalelab")
            .Message(7, _graph)
            .Message(8, new ProtoWriter().String(1, "").Varint(2, _opset))
            .Message(8, new ProtoWriter().String(1, "com.microsoft").Varint(2, 1));
        return model.ToArray();
    }

    /// <summary>
    /// The IR version of the ONNX release that introduced the opset (onnx/docs/Versioning.md): opsets 13–14 came with
    /// IR 7, 15–18 with IR 8, 19–20 with IR 9, 21 with IR 10. Writing the lowest one lets older runtimes load the file.
    /// </summary>
    internal static int IrVersion(int opset) => opset switch
    {
        <= 14 => 7,
        <= 18 => 8,
        <= 20 => 9,
        _ => 10,
    };

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
