using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace RoleMining.Api.Validation;

/// <summary>
/// Reads query parameters strictly: each at most once, in its exact format, and no parameter the operation does not know
/// (a misspelt <c>filter=</c> would otherwise silently return everything). Every problem goes to <see cref="RequestErrors"/>.
/// </summary>
public sealed class QueryReader
{
    /// <summary>
    /// The query parameter Azure Functions accepts the function key in (<c>?code=...</c>); always allowed, never read.
    /// </summary>
    public const string FunctionKeyParameter = "code";

    /// <summary>The field that names a query parameter without a name in the errors.</summary>
    public const string UnnamedField = "query";

    private readonly IQueryCollection _query;
    private readonly RequestErrors _errors;

    /// <summary>Reads <paramref name="query"/>, recording problems in <paramref name="errors"/>.</summary>
    public QueryReader(IQueryCollection query, RequestErrors errors)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(errors);
        _query = query;
        _errors = errors;
    }

    /// <summary>Records an error for each parameter not in <paramref name="allowed"/> (nor the function key).</summary>
    public void RejectUnknown(params string[] allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        foreach (var name in _query.Keys)
        {
            if (!allowed.Contains(name, StringComparer.Ordinal) && !string.Equals(name, FunctionKeyParameter, StringComparison.Ordinal))
            {
                var expected = allowed.Length == 0 ? "this operation takes no query parameters" : "known parameters: " + string.Join(", ", allowed);
                if (name.Length == 0)
                {
                    // '?=x' or a stray '&=' from a URL template whose parameter name was left empty.
                    _errors.Add(UnnamedField, $"A query parameter has no name ({expected}).");
                }
                else
                {
                    _errors.Add(name, $"Unknown query parameter '{name}' ({expected}).");
                }
            }
        }
    }

    /// <summary>Whether <paramref name="name"/> was given.</summary>
    public bool Has(string name) => _query.ContainsKey(name);

    /// <summary>The value of <paramref name="name"/>, or null when absent or given more than once (recorded).</summary>
    public string? Text(string name)
    {
        if (!_query.TryGetValue(name, out var values))
        {
            return null;
        }

        if (values.Count != 1)
        {
            _errors.Add(name, $"'{name}' must be given once.");
            return null;
        }

        return values[0] ?? string.Empty;
    }

    /// <summary>An integer between <paramref name="min"/> and <paramref name="max"/>; <paramref name="defaultValue"/> when absent.</summary>
    public int WholeNumber(string name, int defaultValue, int min, int max)
    {
        var text = Text(name);
        if (text is null)
        {
            return defaultValue;
        }

        // int.TryParse ignores trailing NUL characters ("1%00"): the value is checked for them first.
        if (text.Contains('\0', StringComparison.Ordinal)
            || !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            _errors.Add(name, max == int.MaxValue
                ? $"'{name}' must be a whole number of at least {min}."
                : $"'{name}' must be a whole number from {min} to {max}.");
            return defaultValue;
        }

        return value;
    }

    /// <summary><c>true</c> or <c>false</c> (any case); <paramref name="defaultValue"/> when absent.</summary>
    public bool Boolean(string name, bool defaultValue = false)
    {
        var text = Text(name);
        if (text is null)
        {
            return defaultValue;
        }

        // Exactly, not bool.TryParse, which also takes " true " and "true%00".
        if (string.Equals(text, bool.TrueString, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(text, bool.FalseString, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        _errors.Add(name, $"'{name}' must be true or false.");
        return defaultValue;
    }
}
