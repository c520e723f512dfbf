using Stlp.Codegen;
using Stlp.Model;
using Xunit;

namespace Stlp.Codegen.Tests;

public sealed class KernelCacheTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"stlp-cache-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void MissThenHitThenCorruptionIsRebuilt()
    {
        var cache = new KernelCache(directory);
        var derivation = Harness.Derive(Harness.Load("fig2a.stlp"));

        var first = KernelFactory.Create(Lower.lower(derivation), cache);
        Assert.False(first.CacheHit);
        var key = KernelCache.Key(first.Source);
        Assert.True(File.Exists(Path.Combine(directory, $"{key}.dll")));

        var second = KernelFactory.Create(Lower.lower(derivation), cache);
        Assert.True(second.CacheHit);

        // Flip a byte: the checksum no longer matches, so the entry is rebuilt, not loaded.
        var path = Path.Combine(directory, $"{key}.dll");
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        Assert.Null(cache.TryGet(key));
        var third = KernelFactory.Create(Lower.lower(derivation), cache);
        Assert.False(third.CacheHit);
        Assert.NotNull(cache.TryGet(key));

        // All three compute the same thing.
        var p = third.Program.ParameterDefaults;
        var a = Harness.Run(first.Kernel, 0.5, [0.1, 0.2], [0.3, -0.1], p, []);
        var c = Harness.Run(third.Kernel, 0.5, [0.1, 0.2], [0.3, -0.1], p, []);
        Assert.Equal(a.Qddot, c.Qddot);
    }

    [Fact]
    public void TheKeyChangesWithTheSource()
    {
        Assert.NotEqual(KernelCache.Key("a"), KernelCache.Key("b"));
        Assert.Equal(KernelCache.Key("a"), KernelCache.Key("a"));
    }
}
