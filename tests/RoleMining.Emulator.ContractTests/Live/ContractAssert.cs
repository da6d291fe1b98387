using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using RoleMining.Emulator.ContractTests.Spec;
using RoleMining.Emulator.ContractTests.TestSupport;
using RoleMining.Emulator.ContractTests.Validation;

namespace RoleMining.Emulator.ContractTests.Live;

/// <summary>Assertions that a live response is one the spec documents for its operation.</summary>
public static class ContractAssert
{
    /// <summary>
    /// The status code is documented for <paramref name="operation"/>, the content type is one documented for that
    /// status, and the body matches: JSON against the documented schema (no undeclared properties), a zip that opens.
    /// </summary>
    public static SpecResponse MatchesSpec(SpecOperation operation, ApiResponse response, SchemaValidator validator)
    {
        var documented = operation.Response(response.StatusCode);
        Assert.True(documented is not null,
            $"{operation}: status {response.StatusCode} is not documented (documented: {string.Join(", ", operation.Responses.Keys)}).\n{response}");

        if (documented.Content.Count == 0)
        {
            Assert.True(response.Body.Length == 0, $"{operation}: {response.StatusCode} documents no body.\n{response}");
            return documented;
        }

        var mediaType = documented.Content.Keys.FirstOrDefault(k => string.Equals(k, response.MediaType, StringComparison.OrdinalIgnoreCase));
        Assert.True(mediaType is not null,
            $"{operation}: content type '{response.MediaType}' is not documented for {response.StatusCode} (documented: {string.Join(", ", documented.Content.Keys)}).\n{response}");

        if (mediaType == "application/zip")
        {
            AssertReadableZip(operation, response);
        }
        else
        {
            MatchesSchema(response, documented.Content[mediaType], validator, $"{operation} {response.StatusCode}");
        }

        return documented;
    }

    /// <summary>The body parses as JSON and validates against <paramref name="schema"/>; returns the parsed body.</summary>
    public static JsonNode? MatchesSchema(ApiResponse response, SpecNode schema, SchemaValidator validator, string context)
    {
        JsonNode? body;
        try
        {
            body = JsonNode.Parse(response.Body);
        }
        catch (JsonException exception)
        {
            Assert.Fail($"{context}: the body is not JSON ({exception.Message}).\n{response}");
            throw;
        }

        var violations = validator.Validate(body, schema);
        Assert.True(violations.Count == 0,
            $"{context}: the body does not match {schema.DisplayName}:\n  {string.Join("\n  ", violations.Take(20))}\n{response}");
        return body;
    }

    /// <summary>
    /// A complete, uncorrupted zip (every entry's CRC is recomputed) of CSV files for the
    /// identities and the entitlements, as the spec's description of the 200 response says.
    /// </summary>
    public static void AssertReadableZip(SpecOperation operation, ApiResponse response)
    {
        var names = new List<string>();
        try
        {
            using var zip = new ZipArchive(new MemoryStream(response.Body), ZipArchiveMode.Read);
            foreach (var entry in zip.Entries)
            {
                names.Add(entry.FullName);
                using var content = entry.Open();
                var crc = Crc32Of(content);
                Assert.True(crc == entry.Crc32, $"{operation}: zip entry '{entry.FullName}' fails its CRC check (corrupted).");
            }
        }
        catch (InvalidDataException exception)
        {
            Assert.Fail($"{operation}: the body is not a valid zip ({exception.Message}).\n{response}");
        }

        Assert.True(names.Count > 0, $"{operation}: the zip is empty.");
        Assert.All(names, name => Assert.EndsWith(".csv", name, StringComparison.OrdinalIgnoreCase));
        Assert.Contains(names, name => name.Contains("identit", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(names, name => name.Contains("entitlement", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The CRC-32 of an entry's content (System.IO.Hashing): compared with the zip header's, because ZipArchive does not
    /// check it when an entry is read.
    /// </summary>
    internal static uint Crc32Of(Stream content)
    {
        var crc = new System.IO.Hashing.Crc32();
        crc.Append(content);
        return crc.GetCurrentHashAsUInt32();
    }
}
