namespace RoleMining.Emulator.ContractTests.Spec;

/// <summary>An <c>example</c> written in a spec file, and the schema it illustrates.</summary>
/// <param name="Example">The example value (its <see cref="SpecNode.JsonPointer"/> names where it is written).</param>
/// <param name="Schema">The schema the example should satisfy.</param>
/// <param name="Owner">The schema, parameter or media type object the example is written in.</param>
public sealed record SpecExample(SpecNode Example, SpecNode Schema, SpecNode Owner)
{
    public override string ToString() => Example.DisplayName;
}

/// <summary>
/// Finds every example in a spec file: on schemas (at any depth), parameters, and media types
/// (<c>example</c> and <c>examples.*.value</c>) of request bodies and responses. $refs are not followed:
/// each file's examples are found when that file is walked.
/// </summary>
public static class SpecExamples
{
    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    /// <summary>Every YAML file of the vendored spec except the root documents, relative to the spec folder.</summary>
    public static IEnumerable<string> SpecFiles(string specFolder) =>
        Directory.EnumerateFiles(specFolder, "*.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(specFolder, f).Replace('\\', '/'))
            .Where(f => !f.EndsWith("openapi.yaml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    public static List<SpecExample> InFile(SpecNode file)
    {
        var found = new List<SpecExample>();
        var folder = Path.GetFileName(Path.GetDirectoryName(file.File)) ?? string.Empty;
        var parent = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(file.File))) ?? string.Empty;
        var kind = folder == "iai" && parent == "schemas" ? "schemas" : folder;
        switch (kind)
        {
            case "schemas":
                VisitSchema(file, found);
                break;
            case "parameters":
                VisitParameter(file, found);
                break;
            case "responses":
                VisitContent(file.Child("content"), found);
                break;
            case "paths":
                foreach (var method in HttpMethods.Select(file.Child).Where(m => m.Node is not null))
                {
                    method.Child("parameters").Items().ToList().ForEach(p => VisitParameter(p, found));
                    VisitContent(method.Child("requestBody").Child("content"), found);
                    foreach (var (_, response) in method.Child("responses").Properties())
                    {
                        VisitContent(response.Child("content"), found);
                    }
                }

                break;
            default:
                throw new InvalidOperationException($"Unexpected spec file location: {file.File}");
        }

        return found;
    }

    private static void VisitParameter(SpecNode parameter, List<SpecExample> found)
    {
        if (parameter.Has("$ref"))
        {
            return;
        }

        if (parameter.Has("example"))
        {
            found.Add(new SpecExample(parameter.Child("example"), parameter.Child("schema"), parameter));
        }

        VisitSchema(parameter.Child("schema"), found);
    }

    private static void VisitContent(SpecNode content, List<SpecExample> found)
    {
        foreach (var (_, media) in content.Properties())
        {
            var schema = media.Child("schema");
            if (media.Has("example"))
            {
                found.Add(new SpecExample(media.Child("example"), schema, media));
            }

            foreach (var (_, named) in media.Child("examples").Properties())
            {
                found.Add(new SpecExample(named.Child("value"), schema, media));
            }

            VisitSchema(schema, found);
        }
    }

    private static void VisitSchema(SpecNode schema, List<SpecExample> found)
    {
        if (schema.AsObject is null)
        {
            return;
        }

        if (schema.Has("example"))
        {
            found.Add(new SpecExample(schema.Child("example"), schema, schema));
        }

        foreach (var (_, property) in schema.Child("properties").Properties())
        {
            VisitSchema(property, found);
        }

        VisitSchema(schema.Child("items"), found);
        VisitSchema(schema.Child("additionalProperties"), found);
        foreach (var keyword in new[] { "allOf", "oneOf", "anyOf" })
        {
            schema.Child(keyword).Items().ToList().ForEach(branch => VisitSchema(branch, found));
        }
    }
}
