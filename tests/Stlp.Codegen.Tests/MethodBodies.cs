using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Stlp.Codegen.Tests;

/// <summary>The size of one compiled method, in the quantities the JIT's MinOpts switch reads.</summary>
public sealed record MethodSize(
    string Name,
    int BodyBytes,
    int IlBytes,
    int Instructions,
    int LocalReferences,
    int Branches,
    int Locals
);

/// <summary>
/// Reads the method bodies of a compiled assembly with System.Reflection.Metadata: the body's
/// size (<see cref="MethodBodyBlock.Size"/>), its IL decoded instruction by instruction, and the
/// count of its local signature.
/// </summary>
public static class MethodBodies
{
    private static readonly Dictionary<short, OpCode> Codes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    public static List<MethodSize> Measure(byte[] assembly)
    {
        using var pe = new PEReader(new MemoryStream(assembly));
        var metadata = pe.GetMetadataReader();
        var sizes = new List<MethodSize>();
        foreach (var typeHandle in metadata.TypeDefinitions)
        {
            var type = metadata.GetTypeDefinition(typeHandle);
            foreach (var handle in type.GetMethods())
            {
                var method = metadata.GetMethodDefinition(handle);
                if (method.RelativeVirtualAddress == 0)
                {
                    continue;
                }
                var body = pe.GetMethodBody(method.RelativeVirtualAddress);
                var locals = 0;
                if (!body.LocalSignature.IsNil)
                {
                    var signature = metadata.GetBlobReader(
                        metadata.GetStandaloneSignature(body.LocalSignature).Signature
                    );
                    signature.ReadSignatureHeader();
                    locals = signature.ReadCompressedInteger();
                }
                var (instructions, references, branches) = Decode(body.GetILBytes()!);
                sizes.Add(
                    new MethodSize(
                        $"{metadata.GetString(type.Name)}.{metadata.GetString(method.Name)}",
                        body.Size,
                        body.GetILBytes()!.Length,
                        instructions,
                        references,
                        branches,
                        locals
                    )
                );
            }
        }
        return sizes;
    }

    /// <summary>Instructions, references to locals and arguments, and branches or throws, of an IL stream.</summary>
    private static (int Instructions, int References, int Branches) Decode(byte[] il)
    {
        var (instructions, references, branches) = (0, 0, 0);
        var at = 0;
        while (at < il.Length)
        {
            short value = il[at++];
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il[at++]));
            }
            var code = Codes[value];
            instructions++;
            var name = code.Name ?? "";
            if (
                name.StartsWith("ldloc")
                || name.StartsWith("stloc")
                || name.StartsWith("ldarg")
                || name.StartsWith("starg")
            )
            {
                references++;
            }
            if (code.FlowControl is FlowControl.Branch or FlowControl.Cond_Branch or FlowControl.Throw)
            {
                branches++;
            }
            at += code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
                _ => 4,
            };
        }
        return (instructions, references, branches);
    }
}
