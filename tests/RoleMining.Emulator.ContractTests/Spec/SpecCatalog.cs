using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RoleMining.Emulator.ContractTests.Spec;

/// <summary>
/// Every operation of every API version, read from the vendored root documents with their
/// <c>$ref</c>s followed, with the known upstream defects (<see cref="SpecDefectKind"/>) corrected.
/// </summary>
public sealed class SpecCatalog
{
    public const string ExperimentalHeader = "X-SailPoint-Experimental";

    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    private static readonly Lazy<SpecCatalog> Shared = new(() => Load(RepositoryPaths.SailPointSpecFolder));

    private readonly Dictionary<ApiVersion, IReadOnlyList<SpecOperation>> operationsByVersion;

    private SpecCatalog(SpecDocuments documents, string specFolder, Dictionary<ApiVersion, IReadOnlyList<SpecOperation>> operations, IReadOnlyList<SpecDefect> defects)
    {
        Documents = documents;
        SpecFolder = specFolder;
        operationsByVersion = operations;
        CorrectedDefects = defects;
    }

    /// <summary>The catalog of the repository's spec folder, loaded once per test run.</summary>
    public static SpecCatalog Instance => Shared.Value;

    public SpecDocuments Documents { get; }

    public string SpecFolder { get; }

    public IReadOnlyList<SpecDefect> CorrectedDefects { get; }

    public IReadOnlyList<SpecOperation> Operations(ApiVersion version) => operationsByVersion[version];

    public IEnumerable<SpecOperation> AllOperations => ApiVersion.All.SelectMany(Operations);

    public SpecOperation Operation(ApiVersion version, string baseOperationId) =>
        Operations(version).SingleOrDefault(o => o.BaseOperationId == baseOperationId)
        ?? throw new KeyNotFoundException($"The {version.Name} spec has no operation '{baseOperationId}'.");

    public static SpecCatalog Load(string specFolder)
    {
        var documents = new SpecDocuments();
        var defects = new List<SpecDefect>();
        var operations = new Dictionary<ApiVersion, IReadOnlyList<SpecOperation>>();
        foreach (var version in ApiVersion.All)
        {
            var root = documents.Load(Path.Combine(specFolder, version.RootDocument));
            operations[version] = ReadOperations(documents, version, root, defects);
        }

        return new SpecCatalog(documents, specFolder, operations, defects);
    }

    private static List<SpecOperation> ReadOperations(SpecDocuments documents, ApiVersion version, SpecNode root, List<SpecDefect> defects)
    {
        var result = new List<SpecOperation>();
        foreach (var (pathTemplate, pathEntry) in root.Child("paths").Properties())
        {
            var pathItem = documents.Dereference(pathEntry);
            var sharedParameters = pathItem.Child("parameters").Items().ToList();
            foreach (var method in HttpMethods)
            {
                var operation = pathItem.Child(method);
                if (operation.Node is null)
                {
                    continue;
                }

                var operationId = operation.GetString("operationId")
                    ?? throw new InvalidOperationException($"{version.Name} {method} {pathTemplate} has no operationId.");
                result.Add(new SpecOperation(
                    version,
                    method.ToUpperInvariant(),
                    pathTemplate,
                    operationId,
                    ReadParameters(documents, version, operationId, pathTemplate, sharedParameters.Concat(operation.Child("parameters").Items()), defects),
                    ReadRequestBody(documents, operation.Child("requestBody")),
                    ReadResponses(documents, version, operationId, operation.Child("responses"), defects),
                    operation));
            }
        }

        return result;
    }

    private static List<SpecParameter> ReadParameters(
        SpecDocuments documents, ApiVersion version, string operationId, string pathTemplate, IEnumerable<SpecNode> declared, List<SpecDefect> defects)
    {
        var parameters = new List<SpecParameter>();
        foreach (var entry in declared)
        {
            var parameter = documents.Dereference(entry);
            var name = parameter.GetString("name") ?? throw new InvalidOperationException($"Parameter without name at {parameter.DisplayName}.");
            var location = parameter.GetString("in") ?? throw new InvalidOperationException($"Parameter '{name}' without 'in' at {parameter.DisplayName}.");
            if (location == "path" && !pathTemplate.Contains("{" + name + "}", StringComparison.Ordinal))
            {
                defects.Add(new SpecDefect(SpecDefectKind.PathParameterNotInPath, version, operationId, $"path parameter '{name}' is not in '{pathTemplate}'; ignored"));
                continue;
            }

            var schema = parameter.Child("schema");
            parameters.Add(new SpecParameter(name, location, parameter.GetBoolean("required"), schema, DefaultText(version, operationId, name, documents.Dereference(schema), defects)));
        }

        return parameters;
    }

    private static string? DefaultText(ApiVersion version, string operationId, string name, SpecNode schema, List<SpecDefect> defects)
    {
        if (schema.Child("default").Node is not JsonValue value)
        {
            return null;
        }

        var kind = value.GetValueKind();
        if (schema.GetString("type") == "string" && kind is JsonValueKind.True or JsonValueKind.False)
        {
            defects.Add(new SpecDefect(SpecDefectKind.BooleanDefaultForStringSchema, version, operationId, $"parameter '{name}' has default {value.ToJsonString()} (a YAML boolean) for a string schema"));
        }

        return kind switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => value.ToJsonString(),
        };
    }

    private static SpecRequestBody? ReadRequestBody(SpecDocuments documents, SpecNode entry)
    {
        if (entry.Node is null)
        {
            return null;
        }

        var body = documents.Dereference(entry);
        var mediaTypes = body.Child("content").Properties().ToDictionary(p => p.Name, p => p.Value, StringComparer.OrdinalIgnoreCase);
        return new SpecRequestBody(body.GetBoolean("required"), mediaTypes);
    }

    private static Dictionary<string, SpecResponse> ReadResponses(
        SpecDocuments documents, ApiVersion version, string operationId, SpecNode responses, List<SpecDefect> defects)
    {
        var result = new Dictionary<string, SpecResponse>(StringComparer.Ordinal);
        foreach (var (statusCode, entry) in responses.Properties())
        {
            var response = documents.Dereference(CorrectResponseFile(version, operationId, statusCode, entry, defects));
            var content = response.Child("content").Properties()
                .ToDictionary(p => p.Name, p => p.Value.Child("schema"), StringComparer.OrdinalIgnoreCase);
            result[statusCode] = new SpecResponse(statusCode, response.GetString("description"), content, response);
        }

        return result;
    }

    /// <summary>Defect 3: a response $ref to <c>responses/400.yaml</c> under status 401 is read as <c>responses/401.yaml</c>.</summary>
    private static SpecNode CorrectResponseFile(ApiVersion version, string operationId, string statusCode, SpecNode entry, List<SpecDefect> defects)
    {
        if (entry.GetString("$ref") is not { } reference
            || !int.TryParse(Path.GetFileNameWithoutExtension(reference), NumberStyles.None, CultureInfo.InvariantCulture, out var referencedStatus)
            || referencedStatus.ToString(CultureInfo.InvariantCulture) == statusCode)
        {
            return entry;
        }

        var corrected = reference[..^Path.GetFileName(reference).Length] + statusCode + Path.GetExtension(reference);
        if (!File.Exists(Path.Combine(Path.GetDirectoryName(entry.File)!, corrected)))
        {
            return entry;
        }

        defects.Add(new SpecDefect(SpecDefectKind.ResponseFileForOtherStatus, version, operationId, $"response {statusCode} refers to '{reference}'; read '{corrected}'"));
        return new SpecNode(new JsonObject { ["$ref"] = corrected }, entry.File, entry.JsonPointer);
    }
}
