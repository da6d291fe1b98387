using System.Globalization;
using System.Text;

namespace RoleMining.Emulator.ContractTests.Spec;

/// <summary>An operation parameter as the spec declares it.</summary>
/// <param name="DefaultText">The schema default rendered as the text a client sends (see <see cref="SpecDefects"/>, defect 1).</param>
public sealed record SpecParameter(string Name, string In, bool Required, SpecNode Schema, string? DefaultText);

/// <summary>One documented response: status code and schema per media type.</summary>
public sealed record SpecResponse(string StatusCode, string? Description, IReadOnlyDictionary<string, SpecNode> Content, SpecNode Definition);

/// <summary>A request body: schema and example per media type.</summary>
public sealed record SpecRequestBody(bool Required, IReadOnlyDictionary<string, SpecNode> MediaTypes);

/// <summary>One operation of one API version, read from the spec.</summary>
public sealed record SpecOperation(
    ApiVersion Version,
    string Method,
    string PathTemplate,
    string OperationId,
    IReadOnlyList<SpecParameter> Parameters,
    SpecRequestBody? RequestBody,
    IReadOnlyDictionary<string, SpecResponse> Responses,
    SpecNode Definition)
{
    /// <summary>The operationId without the "V1" suffix that the per-resource spec adds, to pair operations across versions.</summary>
    public string BaseOperationId => Version == ApiVersion.V1 && OperationId.EndsWith("V1", StringComparison.Ordinal)
        ? OperationId[..^2]
        : OperationId;

    public SpecParameter? FindParameter(string name, string location) =>
        Parameters.SingleOrDefault(p => p.In == location && string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<string> PathParameterNames => Parameters.Where(p => p.In == "path").Select(p => p.Name);

    public bool RequiresExperimentalHeader => FindParameter(SpecCatalog.ExperimentalHeader, "header")?.Required == true;

    public bool Documents(int statusCode) => Responses.ContainsKey(statusCode.ToString(CultureInfo.InvariantCulture));

    public SpecResponse? Response(int statusCode) =>
        Responses.TryGetValue(statusCode.ToString(CultureInfo.InvariantCulture), out var response) ? response : null;

    /// <summary>The request path relative to the server root, e.g. <c>v2024/role-mining-sessions/abc</c>.</summary>
    public string RelativePath(IReadOnlyDictionary<string, string> pathValues)
    {
        var path = new StringBuilder(PathTemplate);
        foreach (var name in PathParameterNames)
        {
            if (!pathValues.TryGetValue(name, out var value))
            {
                throw new ArgumentException($"{this}: no value for path parameter '{name}'.", nameof(pathValues));
            }

            path.Replace("{" + name + "}", Uri.EscapeDataString(value));
        }

        var relative = path.ToString().TrimStart('/');
        return Version.UrlPrefix.Length == 0 ? relative : $"{Version.UrlPrefix}/{relative}";
    }

    public override string ToString() => $"{Version.Name} {Method} {PathTemplate} ({OperationId})";
}
