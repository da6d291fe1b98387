using System.Globalization;
using RoleMining.Time;

namespace RoleMining.Emulator.Api.Querying;

internal enum FieldKind
{
    String,
    Number,
    Boolean,
    DateTime,
}

/// <summary>A filterable field: its value type, the operators the spec lists for it, and how to read it.</summary>
internal sealed record FilterField<T>(FieldKind Kind, IReadOnlyList<string> Operators, Func<T, object?> Read);

/// <summary>One sorter: a field and its direction (<c>-field</c> is descending).</summary>
internal readonly record struct SortKey(string Field, bool Descending);

/// <summary>
/// The filters and sorters one list operation supports, exactly as its path file lists them, and how they apply to
/// an in-memory list. String comparisons ignore case.
/// </summary>
internal sealed class CollectionDefinition<T>
{
    public required IReadOnlyDictionary<string, FilterField<T>> FilterFields { get; init; }

    public required IReadOnlyDictionary<string, Comparison<T>> SortFields { get; init; }

    /// <summary>Sorters applied when the request has none (null: the source order).</summary>
    public IReadOnlyList<SortKey> DefaultSort { get; init; } = [];

    /// <summary>Parses and validates <paramref name="filters"/>; null when absent.</summary>
    public Func<T, bool>? CompileFilter(string? filters)
    {
        if (filters is null)
        {
            return null;
        }

        return Compile(FilterParser.Parse(filters));
    }

    /// <summary>Parses and validates <paramref name="sorters"/>.</summary>
    public IReadOnlyList<SortKey> ParseSorters(string? sorters) => SortParser.Parse(sorters, SortFields.Keys);

    /// <summary>Filters then sorts (stable: ties keep the source order).</summary>
    public IReadOnlyList<T> Apply(IEnumerable<T> source, Func<T, bool>? filter, IReadOnlyList<SortKey> sorters)
    {
        var items = filter is null ? source : source.Where(filter);
        var keys = sorters.Count > 0 ? sorters : DefaultSort;
        if (keys.Count == 0)
        {
            return items.ToList();
        }

        return items.Order(Comparer<T>.Create((left, right) =>
        {
            foreach (var key in keys)
            {
                var result = SortFields[key.Field](left, right);
                if (result != 0)
                {
                    return key.Descending ? -result : result;
                }
            }

            return 0;
        })).ToList();
    }

    private Func<T, bool> Compile(FilterExpression expression)
    {
        switch (expression)
        {
            case AndFilter and:
                {
                    var left = Compile(and.Left);
                    var right = Compile(and.Right);
                    return item => left(item) && right(item);
                }

            case OrFilter or:
                {
                    var left = Compile(or.Left);
                    var right = Compile(or.Right);
                    return item => left(item) || right(item);
                }

            case NotFilter not:
                {
                    var operand = Compile(not.Operand);
                    return item => !operand(item);
                }

            case ComparisonFilter comparison:
                return CompileComparison(comparison);
            default:
                throw new InvalidOperationException("Unknown filter node.");
        }
    }

    private Func<T, bool> CompileComparison(ComparisonFilter comparison)
    {
        if (!FilterFields.TryGetValue(comparison.Field, out var field))
        {
            var supported = FilterFields.Count == 0 ? "none" : string.Join(", ", FilterFields.Keys);
            throw new QueryException($"Invalid filter: filtering is not supported for field '{comparison.Field}'. Supported fields: {supported}.");
        }

        if (!field.Operators.Contains(comparison.Operator, StringComparer.OrdinalIgnoreCase))
        {
            throw new QueryException(
                $"Invalid filter: operator '{comparison.Operator}' is not supported for field '{comparison.Field}'. Supported operators: {string.Join(", ", field.Operators)}.");
        }

        var read = field.Read;
        switch (comparison.Operator)
        {
            case "pr":
                return item => read(item) is not null and not "";
            case "isnull":
                return item => read(item) is null;
        }

        if (comparison.Values.Count == 1 && comparison.Values[0].Kind == FilterLiteralKind.Null)
        {
            return comparison.Operator switch
            {
                "eq" => item => read(item) is null,
                "ne" => item => read(item) is not null,
                _ => throw new QueryException($"Invalid filter: operator '{comparison.Operator}' cannot compare field '{comparison.Field}' with null."),
            };
        }

        var values = comparison.Values.Select(literal => Convert(comparison.Field, field.Kind, literal)).ToArray();
        var op = comparison.Operator;
        if (op == "in")
        {
            return item => values.Any(value => Compare(read(item), value, field.Kind) == 0);
        }

        var target = values[0];
        return op switch
        {
            "eq" => item => Compare(read(item), target, field.Kind) == 0,
            "ne" => item => Compare(read(item), target, field.Kind) != 0,
            "gt" => item => read(item) is not null && Compare(read(item), target, field.Kind) > 0,
            "ge" => item => read(item) is not null && Compare(read(item), target, field.Kind) >= 0,
            "lt" => item => read(item) is not null && Compare(read(item), target, field.Kind) < 0,
            "le" => item => read(item) is not null && Compare(read(item), target, field.Kind) <= 0,
            "co" => item => read(item) is string text && text.Contains((string)target, StringComparison.OrdinalIgnoreCase),
            "sw" => item => read(item) is string text && text.StartsWith((string)target, StringComparison.OrdinalIgnoreCase),
            _ => throw new QueryException($"Invalid filter: unknown operator '{op}'."),
        };
    }

    private static object Convert(string fieldName, FieldKind kind, FilterLiteral literal)
    {
        switch (kind)
        {
            case FieldKind.String when literal.Kind is FilterLiteralKind.String or FilterLiteralKind.Number or FilterLiteralKind.Boolean:
                return literal.Text;
            case FieldKind.Number when literal.Kind is FilterLiteralKind.Number or FilterLiteralKind.String
                && double.TryParse(literal.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                return number;
            case FieldKind.Boolean when literal.Kind is FilterLiteralKind.Boolean or FilterLiteralKind.String
                && bool.TryParse(literal.Text, out var flag):
                return flag;
            // RFC 3339 only, with its offset or Z (the spec's format: date-time): a lenient parse would take "01/02/2024" or
            // a date without a zone, which the service refuses, and let a client that sends them pass its tests here.
            case FieldKind.DateTime when literal.Kind == FilterLiteralKind.String
                && Rfc3339.TryParse(literal.Text, out var date):
                return date.UtcDateTime;
            default:
                var expected = kind switch
                {
                    FieldKind.Number => "a number",
                    FieldKind.Boolean => "true or false",
                    FieldKind.DateTime => "a quoted RFC 3339 date-time with its offset, such as \"2024-01-02T10:00:00Z\"",
                    _ => "a quoted string",
                };
                throw new QueryException($"Invalid filter: value '{literal.Text}' for field '{fieldName}' must be {expected}.");
        }
    }

    private static int Compare(object? actual, object expected, FieldKind kind)
    {
        if (actual is null)
        {
            return -1;
        }

        return kind switch
        {
            FieldKind.String => string.Compare((string)actual, (string)expected, StringComparison.OrdinalIgnoreCase),
            FieldKind.Number => System.Convert.ToDouble(actual, CultureInfo.InvariantCulture).CompareTo((double)expected),
            FieldKind.Boolean => ((bool)actual).CompareTo((bool)expected),
            FieldKind.DateTime => ((DateTime)actual).CompareTo((DateTime)expected),
            _ => throw new InvalidOperationException("Unknown field kind."),
        };
    }
}

/// <summary>Parses <c>sorters</c>: comma-separated field names, each optionally prefixed with <c>-</c> (descending).</summary>
internal static class SortParser
{
    public static IReadOnlyList<SortKey> Parse(string? sorters, IEnumerable<string> supportedFields)
    {
        if (sorters is null)
        {
            return [];
        }

        var supported = supportedFields.ToArray();
        var keys = new List<SortKey>();
        foreach (var part in sorters.Split(','))
        {
            var trimmed = part.Trim();
            var descending = trimmed.StartsWith('-');
            var field = descending ? trimmed[1..].Trim() : trimmed;
            if (field.Length == 0)
            {
                throw new QueryException($"Invalid sorters '{sorters}': a sort field is empty.");
            }

            if (!supported.Contains(field, StringComparer.Ordinal))
            {
                var list = supported.Length == 0 ? "none" : string.Join(", ", supported);
                throw new QueryException($"Invalid sorters: sorting is not supported for field '{field}'. Supported fields: {list}.");
            }

            keys.Add(new SortKey(field, descending));
        }

        return keys;
    }
}

/// <summary>The standard paging parameters <c>offset</c>, <c>limit</c> (0..250, default 250) and <c>count</c>.</summary>
internal readonly record struct Paging(int Offset, int Limit, bool Count)
{
    public const int MaxLimit = 250;

    public static Paging Parse(IQueryCollection query)
    {
        var offset = ParseInteger(query, "offset", 0, 0, int.MaxValue, "an integer greater than or equal to 0");
        var limit = ParseInteger(query, "limit", MaxLimit, 0, MaxLimit, $"an integer between 0 and {MaxLimit}");
        var count = false;
        if (query.TryGetValue("count", out var countValues) && !bool.TryParse(countValues.ToString(), out count))
        {
            throw new QueryException($"Invalid value '{countValues}' for query parameter 'count': must be true or false.");
        }

        return new Paging(offset, limit, count);
    }

    private static int ParseInteger(IQueryCollection query, string name, int defaultValue, int min, int max, string expected)
    {
        if (!query.TryGetValue(name, out var values))
        {
            return defaultValue;
        }

        var text = values.ToString();
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new QueryException($"Invalid value '{text}' for query parameter '{name}': must be {expected}.");
        }

        return (int)value;
    }
}
