using System.Globalization;
using RoleMining.Time;

namespace RoleMining.Api.Validation;

/// <summary>
/// Checks <c>filters</c> and <c>sorters</c> against what ISC supports for one operation before they are passed through, so
/// a typo is a 400 that names the problem instead of a SailPoint round trip (or, worse, an ignored filter). The filter
/// grammar is ISC's standard collection syntax: <c>field op value</c> with eq, ne, gt, ge, lt, le, co, sw, <c>in (...)</c>,
/// pr and isnull, combined with and, or, not and parentheses. Hand-written: no maintained .NET library parses this
/// SailPoint-specific grammar, and a validator needs no evaluation, only a walk over the tokens.
/// </summary>
public static class CollectionQueryValidator
{
    /// <summary>The longest <c>filters</c> or <c>sorters</c> value accepted.</summary>
    public const int MaxLength = 2_048;

    // Deep nesting is not a real filter; the limit keeps the recursive descent far from the stack's end.
    private const int MaxDepth = 32;

    private static readonly HashSet<string> ValueOperators = new(StringComparer.OrdinalIgnoreCase) { "eq", "ne", "gt", "ge", "lt", "le", "co", "sw" };

    /// <summary>Returns why <paramref name="sorters"/> is not acceptable, or null when it is.</summary>
    public static string? ValidateSorters(string sorters, CollectionRules rules)
    {
        ArgumentNullException.ThrowIfNull(sorters);
        ArgumentNullException.ThrowIfNull(rules);
        if (sorters.Length > MaxLength)
        {
            return $"The value must be at most {MaxLength} characters.";
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in sorters.Split(','))
        {
            var field = part.Trim();
            if (field.StartsWith('-'))
            {
                field = field[1..];
            }

            if (field.Length == 0)
            {
                return "A sort field is empty; use comma-separated field names, '-' for descending.";
            }

            if (!rules.Sorters.Contains(field, StringComparer.Ordinal))
            {
                return $"Sorting by '{field}' is not supported; supported: {Supported(rules.Sorters)}.";
            }

            if (!seen.Add(field))
            {
                return $"'{field}' is named twice.";
            }
        }

        return null;
    }

    /// <summary>Returns why <paramref name="filters"/> is not acceptable, or null when it is.</summary>
    public static string? ValidateFilters(string filters, CollectionRules rules)
    {
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentNullException.ThrowIfNull(rules);
        if (filters.Length > MaxLength)
        {
            return $"The value must be at most {MaxLength} characters.";
        }

        if (!Tokenizer.TryTokenize(filters, out var tokens, out var tokenError))
        {
            return tokenError;
        }

        if (tokens.Count == 0)
        {
            return "The filter is empty; leave it out to get every item.";
        }

        var parser = new Parser(tokens, rules);
        return parser.Run();
    }

    private static string Supported(IEnumerable<string> names)
    {
        var list = string.Join(", ", names);
        return list.Length == 0 ? "none" : list;
    }

    private enum TokenKind
    {
        Word,
        String,
        Number,
        Open,
        Close,
        Comma,
    }

    private readonly record struct Token(TokenKind Kind, string Text, int Position);

    private static class Tokenizer
    {
        public static bool TryTokenize(string text, out List<Token> tokens, out string? error)
        {
            tokens = [];
            error = null;
            var index = 0;
            while (index < text.Length)
            {
                var c = text[index];
                if (char.IsWhiteSpace(c))
                {
                    index++;
                }
                else if (c is '(' or ')' or ',')
                {
                    tokens.Add(new Token(c == '(' ? TokenKind.Open : c == ')' ? TokenKind.Close : TokenKind.Comma, c.ToString(), index + 1));
                    index++;
                }
                else if (c == '"')
                {
                    var start = index++;
                    var value = new System.Text.StringBuilder();
                    var closed = false;
                    while (index < text.Length)
                    {
                        var current = text[index++];
                        if (current == '"')
                        {
                            closed = true;
                            break;
                        }

                        if (current == '\\' && index < text.Length)
                        {
                            current = text[index++];
                        }

                        value.Append(current);
                    }

                    if (!closed)
                    {
                        error = $"The filter has an unterminated string at position {start + 1}.";
                        return false;
                    }

                    tokens.Add(new Token(TokenKind.String, value.ToString(), start + 1));
                }
                else if (char.IsAsciiDigit(c) || (c == '-' && index + 1 < text.Length && char.IsAsciiDigit(text[index + 1])))
                {
                    var start = index++;
                    while (index < text.Length && (char.IsAsciiDigit(text[index]) || text[index] == '.'))
                    {
                        index++;
                    }

                    var number = text[start..index];
                    if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                    {
                        error = $"The filter has '{number}' at position {start + 1}, which is not a number.";
                        return false;
                    }

                    tokens.Add(new Token(TokenKind.Number, number, start + 1));
                }
                else if (char.IsAsciiLetter(c) || c == '_')
                {
                    var start = index++;
                    while (index < text.Length && (char.IsAsciiLetterOrDigit(text[index]) || text[index] is '_' or '.'))
                    {
                        index++;
                    }

                    tokens.Add(new Token(TokenKind.Word, text[start..index], start + 1));
                }
                else
                {
                    error = $"The filter has an unexpected character '{c}' at position {index + 1}.";
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Recursive descent over <c>or</c> &lt; <c>and</c> &lt; <c>not</c>/parentheses &lt; comparison.</summary>
    private sealed class Parser(List<Token> tokens, CollectionRules rules)
    {
        private int _position;

        public string? Run()
        {
            var error = Or(0);
            if (error is null && _position < tokens.Count)
            {
                var token = tokens[_position];
                error = $"The filter has an unexpected '{token.Text}' at position {token.Position}.";
            }

            return error;
        }

        private Token? Peek => _position < tokens.Count ? tokens[_position] : null;

        private bool AtKeyword(string keyword) =>
            Peek is { Kind: TokenKind.Word } token && token.Text.Equals(keyword, StringComparison.OrdinalIgnoreCase);

        private string? Or(int depth)
        {
            var error = And(depth);
            while (error is null && AtKeyword("or"))
            {
                _position++;
                error = And(depth);
            }

            return error;
        }

        private string? And(int depth)
        {
            var error = Unary(depth);
            while (error is null && AtKeyword("and"))
            {
                _position++;
                error = Unary(depth);
            }

            return error;
        }

        private string? Unary(int depth)
        {
            if (depth > MaxDepth)
            {
                return $"The filter is nested more than {MaxDepth} levels deep.";
            }

            if (AtKeyword("not"))
            {
                _position++;
                return Unary(depth + 1);
            }

            if (Peek is { Kind: TokenKind.Open })
            {
                _position++;
                return Or(depth + 1) ?? Expect(TokenKind.Close, "')'", out _);
            }

            return Comparison();
        }

        private string? Comparison()
        {
            if (Expect(TokenKind.Word, "a field name", out var field) is { } fieldError)
            {
                return fieldError;
            }

            if (!rules.Filters.TryGetValue(field.Text, out var rule))
            {
                return $"Filtering by '{field.Text}' is not supported; supported: {Supported(rules.Filters.Keys)}.";
            }

            if (Expect(TokenKind.Word, $"an operator after '{field.Text}'", out var op) is { } opError)
            {
                return opError;
            }

            var name = op.Text.ToLowerInvariant();
            var known = ValueOperators.Contains(name) || name is "in" or "pr" or "isnull";
            if (!known)
            {
                return $"The filter has an unknown operator '{op.Text}' at position {op.Position}.";
            }

            if (!rule.Operators.Contains(name, StringComparer.Ordinal))
            {
                return $"Operator '{name}' is not supported for '{rule.Name}'; supported: {string.Join(", ", rule.Operators)}.";
            }

            if (name is "pr" or "isnull")
            {
                return null;
            }

            if (name == "in")
            {
                if (Expect(TokenKind.Open, "'(' after 'in'", out _) is { } openError)
                {
                    return openError;
                }

                while (true)
                {
                    if (Value(rule) is { } valueError)
                    {
                        return valueError;
                    }

                    if (Peek is not { Kind: TokenKind.Comma })
                    {
                        return Expect(TokenKind.Close, "')'", out _);
                    }

                    _position++;
                }
            }

            return Value(rule);
        }

        private string? Value(FilterFieldRule rule)
        {
            if (Peek is not { } token)
            {
                return $"The filter lacks a value for '{rule.Name}' at the end.";
            }

            _position++;
            var valid = rule.Kind switch
            {
                FilterValueKind.Text => token.Kind == TokenKind.String,
                FilterValueKind.Number => token.Kind == TokenKind.Number,
                FilterValueKind.Boolean => token.Kind == TokenKind.Word && (token.Text == "true" || token.Text == "false"),
                // RFC 3339 with its offset, as the service (and the emulator) take them: a looser check here would pass
                // "2024-01-02" on to a 400 from SailPoint.
                FilterValueKind.DateTime => token.Kind == TokenKind.String
                    && Rfc3339.TryParse(token.Text, out _),
                _ => false,
            };
            if (valid)
            {
                return null;
            }

            var expected = rule.Kind switch
            {
                FilterValueKind.Number => "a number",
                FilterValueKind.Boolean => "true or false",
                FilterValueKind.DateTime => "a quoted RFC 3339 date-time with its offset, such as \"2024-01-02T10:00:00Z\"",
                _ => "a quoted string",
            };
            return $"The value '{token.Text}' at position {token.Position} for '{rule.Name}' must be {expected}.";
        }

        private string? Expect(TokenKind kind, string what, out Token token)
        {
            if (Peek is not { } next)
            {
                token = default;
                return $"The filter lacks {what} at the end.";
            }

            token = next;
            if (next.Kind != kind)
            {
                return $"Expected {what} at position {next.Position} but found '{next.Text}'.";
            }

            _position++;
            return null;
        }
    }
}
