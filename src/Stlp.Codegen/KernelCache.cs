using System.Security.Cryptography;
using System.Text;

namespace Stlp.Codegen;

/// <summary>
/// A disk cache of compiled kernels under <c>$STLP_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/stlp</c>
/// (or <c>~/.cache/stlp</c>), keyed by a hash of the source, the Roslyn version and the runtime
/// version. Each assembly is stored with the SHA-256 of its bytes and verified on load; a corrupt
/// entry is rebuilt. A cache that cannot be read or written is only a warning: the kernel is then
/// compiled in memory.
/// </summary>
public sealed class KernelCache(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>Told, in a sentence, whenever the cache cannot be used (unreadable, unwritable, a bad entry).</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>The user's cache: <c>$STLP_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/stlp</c>, else <c>~/.cache/stlp</c>.</summary>
    public static KernelCache Default(Action<string>? warn = null)
    {
        var own = Environment.GetEnvironmentVariable("STLP_CACHE_DIR");
        if (!string.IsNullOrEmpty(own))
        {
            return new KernelCache(own) { Warn = warn };
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
            : xdg;
        return new KernelCache(Path.Combine(root, "stlp")) { Warn = warn };
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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warn?.Invoke($"cannot read the kernel cache {Directory}: {e.Message}; compiling in memory");
            return null;
        }
    }

    /// <summary>
    /// Stores an assembly; written to temporary files and renamed, so readers never see half a file.
    /// A cache that cannot be written is a warning, not an error.
    /// </summary>
    public void Put(string key, byte[] assembly)
    {
        var tmp = Path.Combine(Directory, $"{key}.{Guid.NewGuid():N}.tmp");
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllBytes(tmp, assembly);
            File.Move(tmp, AssemblyPath(key), overwrite: true);
            File.WriteAllText(tmp, Convert.ToHexString(SHA256.HashData(assembly)));
            File.Move(tmp, ChecksumPath(key), overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warn?.Invoke($"cannot write the kernel cache {Directory}: {e.Message}; the kernel is compiled in memory");
            try
            {
                File.Delete(tmp);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Nothing more to do: the temporary file was never written, or cannot be removed.
            }
        }
    }

    /// <summary>An entry that verified but does not load as a kernel (forged, or from another build): dropped and rebuilt.</summary>
    public void Reject(string key, string why)
    {
        Warn?.Invoke($"ignoring the cached kernel {AssemblyPath(key)} ({why}); compiling it again");
        try
        {
            File.Delete(AssemblyPath(key));
            File.Delete(ChecksumPath(key));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warn?.Invoke($"cannot remove it: {e.Message}");
        }
    }
}
