namespace RoleMining.Api.Validation;

/// <summary>
/// Collects what is wrong with a request, field by field, so that one 400 names every bad field at once
/// (<c>errors</c> of an RFC 9457 validation problem).
/// </summary>
public sealed class RequestErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    /// <summary>Whether any error was recorded.</summary>
    public bool Any => _errors.Count > 0;

    /// <summary>The fields named so far.</summary>
    public IEnumerable<string> Fields => _errors.Keys;

    /// <summary>
    /// The media types the operation produces, when the request's <c>Accept</c> allows none of them (a 406 unless other
    /// fields are wrong too); null otherwise.
    /// </summary>
    public IReadOnlyList<string>? NotAcceptable { get; private set; }

    /// <summary>Records that no media type the operation produces (<paramref name="produces"/>) is acceptable.</summary>
    public void AddNotAcceptable(string field, string message, IReadOnlyList<string> produces)
    {
        ArgumentNullException.ThrowIfNull(produces);
        Add(field, message);
        NotAcceptable = produces;
    }

    /// <summary>Records that <paramref name="field"/> is wrong and why.</summary>
    public void Add(string field, string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        ArgumentException.ThrowIfNullOrEmpty(message);
        if (!_errors.TryGetValue(field, out var messages))
        {
            messages = [];
            _errors.Add(field, messages);
        }

        messages.Add(message);
    }

    /// <summary>The errors in the shape of <c>HttpValidationProblemDetails.Errors</c>.</summary>
    public Dictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray(), StringComparer.Ordinal);
}
