using System.Reflection;
using System.Text.RegularExpressions;
using RoleMining.Api.Routing;
using RoleMining.Exports;
using RoleMining.Functions.Configuration;

namespace RoleMining.Infrastructure.Tests.Support;

/// <summary>One <c>[Function]</c> of the Functions app as its source declares it.</summary>
/// <param name="Name">The function name (constant expressions evaluated).</param>
/// <param name="Trigger">The trigger attribute's name, e.g. <c>HttpTrigger</c>.</param>
/// <param name="Arguments">The trigger attribute's arguments, as written.</param>
/// <param name="File">The source file, relative to the repository root.</param>
internal sealed record DeclaredFunction(string Name, string Trigger, string Arguments, string File);

/// <summary>
/// Reads the functions of src/RoleMining.Functions from source: that project cannot be built here, so its triggers are
/// checked as text, with the constants they use evaluated from the compiled classes they come from.
/// </summary>
internal static partial class FunctionsSource
{
    private static readonly Type[] ConstantSources = [typeof(ApiRoutes), typeof(ExportQueueNames), typeof(FunctionsSettings)];

    /// <summary>Every function with its trigger.</summary>
    public static IReadOnlyList<DeclaredFunction> Functions() =>
        Repository.FilesUnder("src/RoleMining.Functions", ".cs")
            .SelectMany(path => FunctionDeclaration().Matches(File.ReadAllText(path)).Select(match => new DeclaredFunction(
                Evaluate(match.Groups["name"].Value),
                match.Groups["trigger"].Value,
                match.Groups["args"].Value,
                Path.GetRelativePath(Repository.Root, path))))
            .ToList();

    /// <summary>The value of a C# constant expression made of string literals, known constants and '+'.</summary>
    public static string Evaluate(string expression)
    {
        var parts = expression.Split('+', StringSplitOptions.TrimEntries);
        return string.Concat(parts.Select(part =>
        {
            if (part.Length >= 2 && part[0] == '"' && part[^1] == '"')
            {
                return part[1..^1];
            }

            var dot = part.LastIndexOf('.');
            var type = dot < 0 ? null : ConstantSources.SingleOrDefault(candidate => candidate.Name == part[..dot]);
            var field = type?.GetField(part[(dot + 1)..], BindingFlags.Public | BindingFlags.Static);
            return field is { IsLiteral: true } ? (string)field.GetRawConstantValue()! : throw new InvalidOperationException($"Cannot evaluate '{part}'.");
        }));
    }

    /// <summary>The positional string arguments of a trigger attribute (e.g. the HTTP methods), evaluated.</summary>
    public static IReadOnlyList<string> PositionalStrings(string arguments) =>
        SplitArguments(arguments).Where(argument => !argument.Contains('=', StringComparison.Ordinal) && !argument.StartsWith("AuthorizationLevel.", StringComparison.Ordinal))
            .Select(Evaluate)
            .ToList();

    /// <summary>A named argument (<c>Route = "..."</c>), evaluated; null when absent.</summary>
    public static string? Named(string arguments, string name) =>
        SplitArguments(arguments)
            .Select(argument => argument.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(pair => pair.Length == 2 && pair[0] == name)
            .Select(pair => pair[1].StartsWith('"') || pair[1].Contains('.', StringComparison.Ordinal) ? Evaluate(pair[1]) : pair[1])
            .SingleOrDefault();

    /// <summary>The raw text of a named argument; null when absent.</summary>
    public static string? NamedRaw(string arguments, string name) =>
        SplitArguments(arguments)
            .Select(argument => argument.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(pair => pair.Length == 2 && pair[0] == name)
            .Select(pair => pair[1])
            .SingleOrDefault();

    private static IEnumerable<string> SplitArguments(string arguments) =>
        StringOrComma().Matches(arguments).Select(match => match.Value.Trim()).Where(argument => argument.Length > 0);

    // [Function(name)] then the method signature up to its first parameter's trigger attribute.
    [GeneratedRegex(@"\[Function\((?<name>[^\]]+?)\)\]\s*public[^(]*\(\s*\[(?<trigger>\w+Trigger)\((?<args>(?:""[^""]*""|[^)""])*)\)\]", RegexOptions.Singleline)]
    private static partial Regex FunctionDeclaration();

    // One argument: quoted strings kept whole, split on commas outside them.
    [GeneratedRegex(@"(?:""[^""]*""|[^,""])+")]
    private static partial Regex StringOrComma();
}
