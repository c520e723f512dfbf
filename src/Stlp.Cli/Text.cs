using System.Globalization;
using System.Text;

namespace Stlp.Cli;

/// <summary>What stlp writes about a user's input is escaped: no control character reaches the terminal.</summary>
internal static class Text
{
    /// <summary>Control characters (other than line breaks between lines of a message) as <c>\t</c>, <c>\r</c> or <c>\uXXXX</c>.</summary>
    public static string Escape(string message)
    {
        if (!message.Any(c => char.IsControl(c) && c != '\n'))
        {
            return message;
        }
        var builder = new StringBuilder(message.Length + 16);
        foreach (var c in message)
        {
            builder.Append(
                c switch
                {
                    '\n' => "\n",
                    '\t' => "\\t",
                    '\r' => "\\r",
                    _ when char.IsControl(c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                    _ => c.ToString(),
                }
            );
        }
        return builder.ToString();
    }
}
