using System.Globalization;
using System.Text;

namespace RoleMining.Emulator.Api.Querying;

/// <summary>
/// Parses ISC's standard collection filter syntax: <c>field op "value"</c> with the operators eq, ne, gt, ge, lt, le,
/// co, sw, in (<c>field in ("a", "b")</c>), pr and isnull, combined with and, or, not and parentheses (and binds
/// tighter than or). Hand-written: no maintained .NET library parses this SailPoint-specific grammar.
/// </summary>
internal static class FilterParser
{
    private static readonly HashSet<string> BinaryOperators = new(StringComparer.OrdinalIgnoreCase) { "eq", "ne", "gt", "ge", "lt", "le", "co", "sw" };

    public static FilterExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = Tokenize(text);
        if (tokens.Count == 0)
        {
            throw new QueryException("Invalid filter: the filters parameter is empty.");
        }

        var position = 0;
        var expression = ParseOr(tokens, ref position);
        if (position < tokens.Count)
        {
            throw new QueryException($"Invalid filter syntax at position {tokens[position].Offset + 1}: unexpected '{tokens[position].Text}'.");
        }

        return expression;
    }

    private static FilterExpression ParseOr(List<Token> tokens, ref int position)
    {
        var left = ParseAnd(tokens, ref position);
        while (IsKeyword(tokens, position, "or"))
        {
            position++;
            left = new OrFilter(left, ParseAnd(tokens, ref position));
        }

        return left;
    }

    private static FilterExpression ParseAnd(List<Token> tokens, ref int position)
    {
        var left = ParseUnary(tokens, ref position);
        while (IsKeyword(tokens, position, "and"))
        {
            position++;
            left = new AndFilter(left, ParseUnary(tokens, ref position));
        }

        return left;
    }

    private static FilterExpression ParseUnary(List<Token> tokens, ref int position)
    {
        if (IsKeyword(tokens, position, "not"))
        {
            position++;
            return new NotFilter(ParseUnary(tokens, ref position));
        }

        if (Peek(tokens, position) is { Kind: TokenKind.OpenParenthesis })
        {
            position++;
            var inner = ParseOr(tokens, ref position);
            Expect(tokens, ref position, TokenKind.CloseParenthesis, "')'");
            return inner;
        }

        return ParseComparison(tokens, ref position);
    }

    private static ComparisonFilter ParseComparison(List<Token> tokens, ref int position)
    {
        var field = Expect(tokens, ref position, TokenKind.Word, "a field name");
        var op = Expect(tokens, ref position, TokenKind.Word, $"an operator after '{field.Text}'");
        var opName = op.Text.ToLowerInvariant();
        switch (opName)
        {
            case "pr" or "isnull":
                return new ComparisonFilter(field.Text, opName, []);
            case "in":
                {
                    Expect(tokens, ref position, TokenKind.OpenParenthesis, "'(' after 'in'");
                    var values = new List<FilterLiteral> { ParseLiteral(tokens, ref position) };
                    while (Peek(tokens, position) is { Kind: TokenKind.Comma })
                    {
                        position++;
                        values.Add(ParseLiteral(tokens, ref position));
                    }

                    Expect(tokens, ref position, TokenKind.CloseParenthesis, "')'");
                    return new ComparisonFilter(field.Text, opName, values);
                }

            default:
                if (!BinaryOperators.Contains(opName))
                {
                    throw new QueryException($"Invalid filter syntax at position {op.Offset + 1}: unknown operator '{op.Text}'.");
                }

                return new ComparisonFilter(field.Text, opName, [ParseLiteral(tokens, ref position)]);
        }
    }

    private static FilterLiteral ParseLiteral(List<Token> tokens, ref int position)
    {
        var token = Peek(tokens, position) ?? throw new QueryException("Invalid filter syntax: a value is missing at the end.");
        position++;
        return token.Kind switch
        {
            TokenKind.String => new FilterLiteral(FilterLiteralKind.String, token.Text),
            TokenKind.Number => new FilterLiteral(FilterLiteralKind.Number, token.Text),
            TokenKind.Word when token.Text.Equals("true", StringComparison.OrdinalIgnoreCase) || token.Text.Equals("false", StringComparison.OrdinalIgnoreCase)
                => new FilterLiteral(FilterLiteralKind.Boolean, token.Text.ToLowerInvariant()),
            TokenKind.Word when token.Text.Equals("null", StringComparison.OrdinalIgnoreCase) => new FilterLiteral(FilterLiteralKind.Null, "null"),
            _ => throw new QueryException($"Invalid filter syntax at position {token.Offset + 1}: expected a value (a quoted string, number, true, false or null) but found '{token.Text}'."),
        };
    }

    private static bool IsKeyword(List<Token> tokens, int position, string keyword) =>
        Peek(tokens, position) is { Kind: TokenKind.Word } token && token.Text.Equals(keyword, StringComparison.OrdinalIgnoreCase);

    private static Token? Peek(List<Token> tokens, int position) => position < tokens.Count ? tokens[position] : null;

    private static Token Expect(List<Token> tokens, ref int position, TokenKind kind, string what)
    {
        var token = Peek(tokens, position);
        if (token is null)
        {
            throw new QueryException($"Invalid filter syntax: expected {what} at the end.");
        }

        if (token.Value.Kind != kind)
        {
            throw new QueryException($"Invalid filter syntax at position {token.Value.Offset + 1}: expected {what} but found '{token.Value.Text}'.");
        }

        position++;
        return token.Value;
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
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
                tokens.Add(new Token(c switch { '(' => TokenKind.OpenParenthesis, ')' => TokenKind.CloseParenthesis, _ => TokenKind.Comma }, c.ToString(), index));
                index++;
            }
            else if (c == '"')
            {
                var start = index++;
                var value = new StringBuilder();
                while (true)
                {
                    if (index >= text.Length)
                    {
                        throw new QueryException($"Invalid filter syntax at position {start + 1}: unterminated string.");
                    }

                    var current = text[index++];
                    if (current == '"')
                    {
                        break;
                    }

                    if (current == '\\' && index < text.Length)
                    {
                        current = text[index++];
                    }

                    value.Append(current);
                }

                tokens.Add(new Token(TokenKind.String, value.ToString(), start));
            }
            else if (char.IsDigit(c) || (c == '-' && index + 1 < text.Length && char.IsDigit(text[index + 1])))
            {
                var start = index++;
                while (index < text.Length && (char.IsDigit(text[index]) || text[index] == '.'))
                {
                    index++;
                }

                var number = text[start..index];
                if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    throw new QueryException($"Invalid filter syntax at position {start + 1}: '{number}' is not a number.");
                }

                tokens.Add(new Token(TokenKind.Number, number, start));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = index++;
                while (index < text.Length && (char.IsLetterOrDigit(text[index]) || text[index] is '_' or '.'))
                {
                    index++;
                }

                tokens.Add(new Token(TokenKind.Word, text[start..index], start));
            }
            else
            {
                throw new QueryException($"Invalid filter syntax at position {index + 1}: unexpected character '{c}'.");
            }
        }

        return tokens;
    }

    private enum TokenKind
    {
        Word,
        String,
        Number,
        OpenParenthesis,
        CloseParenthesis,
        Comma,
    }

    private readonly record struct Token(TokenKind Kind, string Text, int Offset);
}
