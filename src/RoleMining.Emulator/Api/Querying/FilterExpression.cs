namespace RoleMining.Emulator.Api.Querying;

/// <summary>A node of a parsed <c>filters</c> expression (ISC's standard collection syntax).</summary>
internal abstract record FilterExpression;

internal sealed record AndFilter(FilterExpression Left, FilterExpression Right) : FilterExpression;

internal sealed record OrFilter(FilterExpression Left, FilterExpression Right) : FilterExpression;

internal sealed record NotFilter(FilterExpression Operand) : FilterExpression;

/// <summary><c>field op value</c>; <c>in</c> has several values, <c>pr</c> and <c>isnull</c> none.</summary>
internal sealed record ComparisonFilter(string Field, string Operator, IReadOnlyList<FilterLiteral> Values) : FilterExpression;

internal enum FilterLiteralKind
{
    String,
    Number,
    Boolean,
    Null,
}

/// <summary>A literal as written: a quoted string (unescaped), a number, <c>true</c>/<c>false</c> or <c>null</c>.</summary>
internal readonly record struct FilterLiteral(FilterLiteralKind Kind, string Text);

/// <summary>A client error in <c>filters</c>, <c>sorters</c>, paging or another request parameter: answered with 400.</summary>
internal sealed class QueryException(string message) : Exception(message);
