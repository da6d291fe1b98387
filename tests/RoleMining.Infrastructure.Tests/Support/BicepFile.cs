using System.Text;
using System.Text.RegularExpressions;

namespace RoleMining.Infrastructure.Tests.Support;

/// <summary>
/// Just enough of a Bicep reader for consistency checks: comments stripped (strings and interpolations respected),
/// simple variables and parameter defaults, and the top-level properties of an object. The Bicep CLI is not available
/// on every build machine; the real compiler runs in GitHub Actions.
/// </summary>
internal sealed partial class BicepFile
{
    private BicepFile(string relativePath, string text)
    {
        RelativePath = relativePath;
        Text = text;
        Code = StripComments(text);
    }

    /// <summary>The path relative to the repository root.</summary>
    public string RelativePath { get; }

    /// <summary>The file as written.</summary>
    public string Text { get; }

    /// <summary>The file without comments.</summary>
    public string Code { get; }

    /// <summary>Loads a file under the repository root.</summary>
    public static BicepFile Load(string relativePath) => new(relativePath, Repository.ReadText(relativePath));

    /// <summary>Parses <paramref name="text"/> (tests of the reader itself).</summary>
    public static BicepFile Parse(string text) => new("(inline)", text);

    /// <summary>Every .bicep file under infra/.</summary>
    public static IReadOnlyList<BicepFile> All() =>
        Repository.FilesUnder("infra", ".bicep")
            .Select(path => Load(Path.GetRelativePath(Repository.Root, path).Replace(Path.DirectorySeparatorChar, '/')))
            .ToList();

    /// <summary>The value of <c>var name = 'literal'</c>; null when there is no such variable.</summary>
    public string? StringVariable(string name)
    {
        var match = Regex.Match(Code, $@"^var {Regex.Escape(name)} = '([^'$]*)'\s*$", RegexOptions.Multiline);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>The items of <c>var name = [ 'a' 'b' ]</c> (one literal per line); null when there is no such variable.</summary>
    public IReadOnlyList<string>? StringArrayVariable(string name)
    {
        var match = Regex.Match(Code, $@"^var {Regex.Escape(name)} = \[\s*\n(.*?)^\]", RegexOptions.Multiline | RegexOptions.Singleline);
        if (!match.Success)
        {
            return null;
        }

        return match.Groups[1].Value
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(item => Regex.Match(item, "^'([^'$]*)'$") is { Success: true } literal
                ? literal.Groups[1].Value
                : throw new InvalidOperationException($"{RelativePath}: '{item}' in var {name} is not a string literal."))
            .ToList();
    }

    /// <summary>The default of <c>param name type = default</c>, as written; null when there is none.</summary>
    public string? ParameterDefault(string name)
    {
        var match = Regex.Match(Code, $@"^param {Regex.Escape(name)} \S+ = (.+?)\s*$", RegexOptions.Multiline);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>Whether a parameter is declared.</summary>
    public bool DeclaresParameter(string name) =>
        Regex.IsMatch(Code, $@"^param {Regex.Escape(name)} ", RegexOptions.Multiline);

    /// <summary>
    /// The top-level properties (name to value as written) of the first <c>{objectName}: {{ ... }}</c> object after
    /// <paramref name="anchor"/>, e.g. the <c>properties</c> after <c>name: 'appsettings'</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> PropertiesAfter(string anchor, string objectName = "properties")
    {
        var at = Code.IndexOf(anchor, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new InvalidOperationException($"{RelativePath}: '{anchor}' not found.");
        }

        var opening = objectName + ": {";
        var properties = Code.IndexOf(opening, at, StringComparison.Ordinal);
        if (properties < 0)
        {
            throw new InvalidOperationException($"{RelativePath}: no '{opening}' after '{anchor}'.");
        }

        return TopLevelProperties(Code, properties + opening.Length - 1);
    }

    /// <summary>Removes comments; keeps strings (and comment-like text inside them) intact.</summary>
    internal static string StripComments(string text)
    {
        var output = new StringBuilder(text.Length);
        var interpolations = new Stack<int>(); // open braces inside each active ${...}
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (inString)
            {
                output.Append(c);
                if (c == '\\' && i + 1 < text.Length)
                {
                    output.Append(next);
                    i++;
                }
                else if (c == '$' && next == '{')
                {
                    output.Append(next);
                    i++;
                    interpolations.Push(0);
                    inString = false;
                }
                else if (c == '\'')
                {
                    inString = false;
                }

                continue;
            }

            if (c == '/' && next == '/')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                if (i < text.Length)
                {
                    output.Append('\n');
                }

                continue;
            }

            if (c == '/' && next == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 1;
                continue;
            }

            if (c == '\'' && text.AsSpan(i).StartsWith("'''"))
            {
                var end = text.IndexOf("'''", i + 3, StringComparison.Ordinal);
                var stop = end < 0 ? text.Length : end + 3;
                output.Append(text, i, stop - i);
                i = stop - 1;
                continue;
            }

            output.Append(c);
            if (c == '\'')
            {
                inString = true;
            }
            else if (interpolations.Count > 0 && c == '{')
            {
                interpolations.Push(interpolations.Pop() + 1);
            }
            else if (interpolations.Count > 0 && c == '}')
            {
                var depth = interpolations.Pop();
                if (depth == 0)
                {
                    inString = true; // back in the string the interpolation belongs to
                }
                else
                {
                    interpolations.Push(depth - 1);
                }
            }
        }

        return output.ToString();
    }

    /// <summary>The properties of the object whose '{' is at or after <paramref name="start"/> in comment-free code.</summary>
    internal static IReadOnlyDictionary<string, string> TopLevelProperties(string code, int start)
    {
        var open = code.IndexOf('{', start);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var line = new StringBuilder();
        var depth = 0;
        var inString = false;
        var interpolations = new Stack<int>();
        for (var i = open + 1; i < code.Length; i++)
        {
            var c = code[i];
            if (inString)
            {
                line.Append(c);
                if (c == '\\' && i + 1 < code.Length)
                {
                    line.Append(code[++i]);
                }
                else if (c == '$' && i + 1 < code.Length && code[i + 1] == '{')
                {
                    line.Append(code[++i]);
                    interpolations.Push(0);
                    inString = false;
                }
                else if (c == '\'')
                {
                    inString = false;
                }

                continue;
            }

            if (interpolations.Count > 0 && c is '{' or '}')
            {
                line.Append(c);
                var braces = interpolations.Pop();
                if (c == '{')
                {
                    interpolations.Push(braces + 1);
                }
                else if (braces == 0)
                {
                    inString = true;
                }
                else
                {
                    interpolations.Push(braces - 1);
                }

                continue;
            }

            switch (c)
            {
                case '\'':
                    inString = true;
                    break;
                case '{' or '[' or '(':
                    depth++;
                    break;
                case ']' or ')':
                    depth--;
                    break;
                case '}' when depth == 0:
                    AddProperty(result, line.ToString());
                    return result;
                case '}':
                    depth--;
                    break;
                case '\n' when depth == 0:
                    AddProperty(result, line.ToString());
                    line.Clear();
                    continue;
            }

            line.Append(c);
        }

        throw new InvalidOperationException("Unbalanced braces.");
    }

    private static void AddProperty(Dictionary<string, string> result, string line)
    {
        var trimmed = line.Trim();
        if (trimmed.Length == 0)
        {
            return;
        }

        var match = PropertyLine().Match(trimmed);
        if (match.Success)
        {
            var name = match.Groups[1].Value.Trim('\'');
            result[name] = match.Groups[2].Value.Trim();
        }
    }

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*|'[^']+')\s*:\s*(.*)$", RegexOptions.Singleline)]
    private static partial Regex PropertyLine();
}
