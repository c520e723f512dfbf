using System.Security.Cryptography;
using System.Text;

namespace Stlp.Codegen;

/// <summary>
/// A disk cache of compiled kernels under <c>$XDG_CACHE_HOME/stlp</c> (or <c>~/.cache/stlp</c>),
/// keyed by a hash of the source, the Roslyn version and the runtime version. Each assembly is
/// stored with the SHA-256 of its bytes and verified on load; a corrupt entry is rebuilt.
/// </summary>
public sealed class KernelCache(string directory)
{
    public string Directory { get; } = directory;

    public static KernelCache Default()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
            : xdg;
        return new KernelCache(Path.Combine(root, "stlp"));
    }

    public static string Key(string source) =>
        Convert
            .ToHexString(
                SHA256.HashData(
                    Encoding.UTF8.GetBytes($"{source}\n{KernelCompiler.RoslynVersion}\n{KernelCompiler.RuntimeVersion}")
                )
            )[..32]
            .ToLowerInvariant();

    private string AssemblyPath(string key) => Path.Combine(Directory, $"{key}.dll");

    private string ChecksumPath(string key) => Path.Combine(Directory, $"{key}.sha256");

    /// <summary>The cached assembly, if present and intact.</summary>
    public byte[]? TryGet(string key)
    {
        try
        {
            if (!File.Exists(AssemblyPath(key)) || !File.Exists(ChecksumPath(key)))
            {
                return null;
            }
            var bytes = File.ReadAllBytes(AssemblyPath(key));
            var expected = File.ReadAllText(ChecksumPath(key)).Trim();
            return Convert.ToHexString(SHA256.HashData(bytes)) == expected ? bytes : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Stores an assembly; written to temporary files and renamed, so readers never see half a file.</summary>
    public void Put(string key, byte[] assembly)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var tmp = Path.Combine(Directory, $"{key}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(tmp, assembly);
        File.Move(tmp, AssemblyPath(key), overwrite: true);
        File.WriteAllText(tmp, Convert.ToHexString(SHA256.HashData(assembly)));
        File.Move(tmp, ChecksumPath(key), overwrite: true);
    }
}
