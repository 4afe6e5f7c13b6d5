using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace ScaleLab.Tests.Shared;

/// <summary>
/// Finds, in a compiled assembly, every call that hands TorchSharp a Scalar nobody holds: the implicit conversions
/// of a number (<c>t.div_(255f)</c>, <c>w[0, 0] = float.NaN</c>), and the TorchSharp methods that make one of their
/// own and drop it (<c>a + b</c> and <c>add_(b)</c> make an alpha of 1, <c>arange(n)</c> a start and a step,
/// <c>t * 0.5</c> the 0.5).
/// <para>Why: see ScaleLab.Torch's <c>Scalars</c>. A temporary Scalar can be freed by its finalizer while libtorch
/// still reads it.</para>
/// <para>It reads IL: call, callvirt and newobj instructions whose target is <c>op_Implicit</c> on Scalar or Tensor,
/// or a TorchSharp method that, itself or through the TorchSharp methods it calls, converts a number to a Scalar and
/// never disposes it (found by reading TorchSharp.dll's own IL). Each site is mapped to a source line through the
/// portable PDB beside the file. Calls TorchSharp makes through delegates or virtual dispatch (a module's forward
/// reached through <c>call</c>) are not seen.</para>
/// </summary>
internal static class ImplicitTorchConversions
{
    private const int Call = 0x28, CallVirt = 0x6F, NewObj = 0x73;

    private static readonly Lazy<HashSet<string>> DroppingMethods = new(TorchSharpMethodsThatDropAScalar);

    /// <summary>"file:line Type.Method op_X" for every site in <paramref name="assemblyPath"/>, in IL order.</summary>
    public static IReadOnlyList<string> Find(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        string pdbPath = Path.ChangeExtension(assemblyPath, ".pdb");
        using var pdbProvider = File.Exists(pdbPath) ? MetadataReaderProvider.FromPortablePdbStream(File.OpenRead(pdbPath)) : null;
        var pdb = pdbProvider?.GetMetadataReader();

        var targets = ConversionTargets(metadata);
        var sites = new List<string>();
        foreach (var handle in metadata.MethodDefinitions)
        {
            var method = metadata.GetMethodDefinition(handle);
            if (method.RelativeVirtualAddress == 0) continue;
            byte[] il = pe.GetMethodBody(method.RelativeVirtualAddress).GetILBytes()!;
            foreach (var (offset, token) in CallTokens(il))
            {
                if (targets.TryGetValue(token, out var name)) sites.Add($"{SourceLine(pdb, handle, offset)} {MethodName(metadata, method)} {name}");
            }
        }
        return sites;
    }

    /// <summary>Member references (by token) to Scalar/Tensor op_Implicit and to TorchSharp methods that drop a Scalar.</summary>
    private static Dictionary<int, string> ConversionTargets(MetadataReader metadata)
    {
        var targets = new Dictionary<int, string>();
        foreach (var handle in metadata.MemberReferences)
        {
            var member = metadata.GetMemberReference(handle);
            if (member.Parent.Kind != HandleKind.TypeReference || member.GetKind() != MemberReferenceKind.Method) continue;
            string type = FullName(metadata, (TypeReferenceHandle)member.Parent);
            if (!type.StartsWith("TorchSharp.", StringComparison.Ordinal)) continue;
            string name = metadata.GetString(member.Name);
            bool conversion = name == "op_Implicit" && type is "TorchSharp.Scalar" or "TorchSharp.torch+Tensor";
            string key = $"{type}.{name}({string.Join(",", member.DecodeMethodSignature(new TypeNames(), null).ParameterTypes)})";
            if (conversion || DroppingMethods.Value.Contains(key)) targets[MetadataTokens.GetToken(handle)] = name;
        }
        return targets;
    }

    /// <summary>
    /// Keys ("TorchSharp.torch+Tensor.add_(Tensor)") of TorchSharp's public methods that convert a number to a Scalar
    /// and do not dispose it, directly or through the TorchSharp methods they call.
    /// </summary>
    private static HashSet<string> TorchSharpMethodsThatDropAScalar()
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        var scalar = typeof(TorchSharp.Scalar);
        var callees = new Dictionary<MethodBase, List<MethodBase>>();
        var dropping = new HashSet<MethodBase>();
        foreach (var type in scalar.Assembly.GetTypes())
        {
            if (type == scalar || type.Name == "ScalarExtensionMethods") continue;
            foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
            {
                byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
                if (il is null) continue;
                var called = new List<MethodBase>();
                bool makes = false, disposes = false;
                foreach (var callee in CalledMethods(method, il))
                {
                    if (callee.DeclaringType == scalar && callee.Name == "Dispose") disposes = true;
                    else if (MakesAScalar(callee)) makes = true;
                    else called.Add(callee);
                }
                callees[method] = called;
                if (makes && !disposes) dropping.Add(method);
            }
        }
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var (method, called) in callees)
            {
                if (!dropping.Contains(method) && called.Exists(dropping.Contains)) grew = dropping.Add(method) || grew;
            }
        }
        return dropping.Where(m => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly).Select(Key).ToHashSet();
    }

    private static bool MakesAScalar(MethodBase method) =>
        (method.DeclaringType == typeof(TorchSharp.Scalar) && method.Name == "op_Implicit")
        || (method.DeclaringType?.Name == "ScalarExtensionMethods" && method.Name.StartsWith("To", StringComparison.Ordinal) && method.Name.EndsWith("Scalar", StringComparison.Ordinal));

    /// <summary>The methods <paramref name="method"/>'s IL calls (a scan of call/callvirt/newobj tokens).</summary>
    private static IEnumerable<MethodBase> CalledMethods(MethodBase method, byte[] il)
    {
        var typeArguments = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var found = new List<MethodBase>();
        foreach (var (_, token) in CallTokens(il))
        {
            try
            {
                if (method.Module.ResolveMethod(token, typeArguments, methodArguments) is { } callee) found.Add(callee);
            }
            catch (ArgumentException)
            {
                // A token into a generic context this scan does not model: not a Scalar factory.
            }
        }
        return found;
    }

    /// <summary>The key a method has in both reflection and metadata: declaring type, name, parameter type names.</summary>
    private static string Key(MethodBase method) =>
        $"{TypeName(method.DeclaringType!)}.{method.Name}({string.Join(",", method.GetParameters().Select(p => p.ParameterType.Name))})";

    /// <summary>"TorchSharp.torch+nn+functional": nested types joined by '+', as <see cref="FullName"/> writes them.</summary>
    private static string TypeName(Type type) => type.DeclaringType is { } outer ? $"{TypeName(outer)}+{type.Name}" : $"{type.Namespace}.{type.Name}";

    private static string FullName(MetadataReader metadata, TypeReferenceHandle handle)
    {
        var type = metadata.GetTypeReference(handle);
        string name = metadata.GetString(type.Name);
        return type.ResolutionScope.Kind == HandleKind.TypeReference
            ? $"{FullName(metadata, (TypeReferenceHandle)type.ResolutionScope)}+{name}"
            : $"{metadata.GetString(type.Namespace)}.{name}";
    }

    private static string MethodName(MetadataReader metadata, MethodDefinition method) =>
        $"{metadata.GetString(metadata.GetTypeDefinition(method.GetDeclaringType()).Name)}.{metadata.GetString(method.Name)}";

    /// <summary>The source line of the last visible sequence point at or before <paramref name="offset"/>.</summary>
    private static string SourceLine(MetadataReader? pdb, MethodDefinitionHandle method, int offset)
    {
        if (pdb is null) return "(no pdb)";
        SequencePoint? last = null;
        foreach (var point in pdb.GetMethodDebugInformation(method).GetSequencePoints())
        {
            if (point.Offset > offset) break;
            if (!point.IsHidden) last = point;
        }
        if (last is not { } p) return "(no line)";
        string file = pdb.GetString(pdb.GetDocument(p.Document).Name);
        return $"{Path.GetFileName(file)}:{p.StartLine}";
    }

    /// <summary>The IL offset and method token of every call, callvirt and newobj instruction in <paramref name="il"/>.</summary>
    private static List<(int Offset, int Token)> CallTokens(byte[] il)
    {
        var calls = new List<(int, int)>();
        int at = 0;
        while (at < il.Length)
        {
            int offset = at;
            int opcode = il[at++];
            if (opcode == 0xFE) opcode = 0xFE00 | il[at++];
            if (opcode is Call or CallVirt or NewObj) calls.Add((offset, BinaryPrimitives.ReadInt32LittleEndian(il.AsSpan(at))));
            at += OperandBytes(opcode, il, at);
        }
        return calls;
    }

    /// <summary>Operand size of a CIL instruction (ECMA-335 Partition III) whose operand starts at <paramref name="at"/>.</summary>
    private static int OperandBytes(int opcode, byte[] il, int at) => opcode switch
    {
        0x45 => 4 + (4 * BinaryPrimitives.ReadInt32LittleEndian(il.AsSpan(at))),  // switch: count, then targets
        0x0E or 0x0F or 0x10 or 0x11 or 0x12 or 0x13 or 0x1F or 0xDE => 1,         // short var / int8 / leave.s
        >= 0x2B and <= 0x37 => 1,                                                 // short branches
        0x21 or 0x23 => 8,                                                        // ldc.i8, ldc.r8
        0x20 or 0x22 or 0x27 or 0x28 or 0x29 => 4,                                // ldc.i4, ldc.r4, jmp, call, calli
        >= 0x38 and <= 0x44 => 4,                                                 // long branches
        0x6F or (>= 0x70 and <= 0x75) or 0x79 or (>= 0x7B and <= 0x81) => 4,      // callvirt, tokens, fields
        0x8C or 0x8D or 0x8F or 0xA3 or 0xA4 or 0xA5 or 0xC2 or 0xC6 or 0xD0 or 0xDD => 4,
        0xFE06 or 0xFE07 or 0xFE15 or 0xFE16 or 0xFE1C => 4,                      // ldftn, ldvirtftn, initobj, constrained., sizeof
        0xFE09 or 0xFE0A or 0xFE0B or 0xFE0C or 0xFE0D or 0xFE0E => 2,            // ldarg, ldarga, starg, ldloc, ldloca, stloc
        0xFE12 or 0xFE19 => 1,                                                    // unaligned., no.
        _ => 0,
    };

    /// <summary>Decodes a signature into the type names reflection gives (<c>Type.Name</c>: "Double", "Int64[]", "Nullable`1").</summary>
    private sealed class TypeNames : ISignatureTypeProvider<string, object?>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeDefinition(handle).Name);
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeReference(handle).Name);
        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) => "?";
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetArrayType(string elementType, ArrayShape shape) => $"{elementType}[{new string(',', shape.Rank - 1)}]";
        public string GetByReferenceType(string elementType) => elementType + "&";
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => genericType;
        public string GetGenericMethodParameter(object? genericContext, int index) => "?";
        public string GetGenericTypeParameter(object? genericContext, int index) => "?";
        public string GetFunctionPointerType(MethodSignature<string> signature) => "?";
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetPinnedType(string elementType) => elementType;
    }
}
