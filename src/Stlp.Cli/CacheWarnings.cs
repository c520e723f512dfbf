namespace Stlp.Cli;

/// <summary>The kernel cache's warnings, on standard error: a cache that cannot be used never stops a command.</summary>
internal static class CacheWarnings
{
    public static Action<string> To(TextWriter error)
    {
        var told = new HashSet<string>();
        return message =>
        {
            lock (told)
            {
                // Once each: a sweep's parallel runs meet the same unusable cache.
                if (told.Add(message))
                {
                    error.WriteLine(Text.Escape($"warning: {message}"));
                }
            }
        };
    }
}
