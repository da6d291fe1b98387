using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using RoleMining.Infrastructure.Tests.Support;
using RoleMining.Testing;

namespace RoleMining.Infrastructure.Tests.Bicep;

/// <summary>
/// Every template under infra/ compiles and lints clean with the real Bicep CLI and infra/bicepconfig.json, and
/// main.bicep accepts the parameters azd gives it (main.parameters.json). Any warning or error fails, naming file, line
/// and rule.
/// </summary>
public sealed partial class BicepCompilerTests
{
    private const string AllTemplates = "infra/**/*.bicep";

    // Values for the azd environment variables of main.parameters.json that have no default there, as `azd up` would
    // fill them in.
    private static readonly Dictionary<string, string> AzdEnvironment = new(StringComparer.Ordinal)
    {
        ["AZURE_ENV_NAME"] = "rolemining-ci",
        ["AZURE_LOCATION"] = "westeurope",
        ["AZURE_PRINCIPAL_ID"] = "00000000-0000-0000-0000-000000000001",
        ["SAILPOINT_BASE_URL"] = "https://acme.api.identitynow.com",
        ["SAILPOINT_CLIENT_ID"] = "0123456789abcdef0123456789abcdef",
        ["SAILPOINT_CLIENT_SECRET"] = "not-a-real-secret",
        ["ROLEMINING_SWEEP_SESSION_IDS"] = string.Empty,
        ["ROLEMINING_API_CLIENT_ID"] = "11111111-2222-3333-4444-555555555555",
        ["ROLEMINING_API_APPLICATION_ID_URI"] = string.Empty,
        ["ROLEMINING_ALLOWED_CLIENT_APPLICATIONS"] = "66666666-7777-8888-9999-000000000000",
        ["ROLEMINING_SAILPOINT_WORKFLOW_KEY_SHA256"] = "4c88089bdf15cb0dffde5c179461a2f99fa7cfb0bed250a8d87f8aa1d80eaa11",
        ["ROLEMINING_CALLBACK_URL"] = "https://acme.api.identitynow.com/beta/workflows/execute/external/c79e0079-562c-4df5-aa73-60a9e25c916d",
        ["ROLEMINING_CALLBACK_TOKEN_URL"] = "https://acme.api.identitynow.com/oauth/token",
        ["ROLEMINING_CALLBACK_CLIENT_ID"] = "87e239b2-b85b-4bde-b9a7-55bf304ddcdc",
        ["ROLEMINING_CALLBACK_CLIENT_SECRET"] = "not-a-real-secret",
        ["AZURE_ALERT_EMAIL"] = "operations@contoso.example",
    };

    [RequiresBicepFact]
    public async Task Every_template_builds_and_lints_without_a_warning()
    {
        using var output = new TemporaryDirectory("rolemining-infra-tests-");
        var templates = Directory.EnumerateFiles(RepositoryPaths.Combine("infra"), "*.bicep", SearchOption.AllDirectories).ToList();

        var build = await BicepCli.BuildAsync(RepositoryPaths.Root, AllTemplates, output.Path);
        var lint = await BicepCli.LintAsync(RepositoryPaths.Root, AllTemplates);

        Assert.True(build.Diagnostics.Count == 0, Describe(build.Diagnostics));
        Assert.True(lint.Diagnostics.Count == 0, Describe(lint.Diagnostics));
        Assert.True(build.ExitCode == 0 && lint.ExitCode == 0, build.Output + lint.Output);
        // The pattern really reached every template: one ARM template out per .bicep in.
        Assert.NotEmpty(templates);
        Assert.Equal(
            templates.Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal),
            Directory.EnumerateFiles(output.Path, "*.json", SearchOption.AllDirectories).Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
    }

    [RequiresBicepFact]
    public async Task A_compile_error_a_linter_rule_and_a_compiler_warning_each_fail_the_check_with_file_line_and_rule()
    {
        using var infra = BicepCli.CopyInfra();
        await File.AppendAllTextAsync(infra.PathOf("infra/app/identity.bicep"), "\nparam neverUsed string\n");
        await File.AppendAllTextAsync(infra.PathOf("infra/app/storage.bicep"), "\nvar broken = \n");
        await File.AppendAllTextAsync(infra.PathOf("infra/app/monitoring.bicep"),
            "\nresource unknownVersion 'Microsoft.Storage/storageAccounts@2001-01-01' = {\n  name: 'x'\n  location: 'westeurope'\n}\n");
        var identityLines = File.ReadAllLines(infra.PathOf("infra/app/identity.bicep")).Length;
        var monitoringLines = File.ReadAllLines(infra.PathOf("infra/app/monitoring.bicep")).Length;

        var lint = await BicepCli.LintAsync(infra.Root, AllTemplates);

        Assert.NotEqual(0, lint.ExitCode);
        Assert.Contains(lint.Diagnostics, diagnostic => diagnostic is { File: "infra/app/identity.bicep", Rule: "no-unused-params", Fails: true } && diagnostic.Line == identityLines);
        Assert.Contains(lint.Diagnostics, diagnostic => diagnostic is { File: "infra/app/storage.bicep", Level: "error" } && diagnostic.Rule.StartsWith("BCP", StringComparison.Ordinal));
        // An API version without type information is only a compiler warning; it fails the check all the same.
        Assert.Contains(lint.Diagnostics, diagnostic => diagnostic is { File: "infra/app/monitoring.bicep", Rule: "BCP081", Level: "warning" } && diagnostic.Line == monitoringLines - 3);
        Assert.All(lint.Diagnostics, diagnostic => Assert.Matches(@"^infra/[\w/.-]+\.bicep:\d+: (error|warning|note) [\w-]+: ", diagnostic.ToString()));
    }

    [RequiresBicepFact]
    public async Task The_main_template_accepts_the_parameters_azd_passes_from_main_parameters_json()
    {
        using var infra = BicepCli.CopyInfra();
        var parameters = AzdParameters(await File.ReadAllTextAsync(infra.PathOf("infra/main.parameters.json")));
        var bicepParam = new StringBuilder("using './main.bicep'\n\n");
        foreach (var (name, value) in parameters)
        {
            bicepParam.Append("param ").Append(name).Append(" = '").Append(EscapeBicepString(value)).Append("'\n");
        }

        var file = infra.PathOf("infra/main.bicepparam");
        await File.WriteAllTextAsync(file, bicepParam.ToString());

        var build = await BicepCli.BuildParamsAsync(file, infra.PathOf("infra/main.parameters.built.json"));

        // Unknown parameters (BCP259), missing required ones (BCP258) and type mismatches are compile errors here.
        Assert.True(build.ExitCode == 0 && build.Diagnostics.Count == 0, Describe(build.Diagnostics) + build.Output);
        using var built = JsonDocument.Parse(await File.ReadAllTextAsync(infra.PathOf("infra/main.parameters.built.json")));
        Assert.Equal(
            parameters.Keys.Order(StringComparer.Ordinal),
            built.RootElement.GetProperty("parameters").EnumerateObject().Select(parameter => parameter.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Azd_placeholders_take_their_default_or_the_environment_value()
    {
        const string json = """{"parameters":{"a":{"value":"${AZURE_LOCATION}"},"b":{"value":"${X=v2024}"},"c":{"value":"pre-${AZURE_ENV_NAME}"}}}""";

        var parameters = AzdParameters(json);

        Assert.Equal("westeurope", parameters["a"]);
        Assert.Equal("v2024", parameters["b"]);
        Assert.Equal("pre-rolemining-ci", parameters["c"]);
        Assert.Throws<InvalidOperationException>(() => AzdParameters("""{"parameters":{"a":{"value":"${UNKNOWN_VARIABLE}"}}}"""));
    }

    /// <summary>The parameter values of an azd parameters file with <c>${NAME}</c> and <c>${NAME=default}</c> filled in.</summary>
    private static Dictionary<string, string> AzdParameters(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("parameters").EnumerateObject().ToDictionary(
            parameter => parameter.Name,
            parameter => AzdPlaceholder().Replace(parameter.Value.GetProperty("value").GetString()!, match =>
                match.Groups["default"].Success
                    ? match.Groups["default"].Value
                    : AzdEnvironment.TryGetValue(match.Groups["name"].Value, out var value)
                        ? value
                        : throw new InvalidOperationException($"main.parameters.json uses ${{{match.Groups["name"].Value}}}: give it a value in {nameof(AzdEnvironment)}.")),
            StringComparer.Ordinal);
    }

    private static string EscapeBicepString(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal).Replace("${", "\\${", StringComparison.Ordinal);

    private static string Describe(IReadOnlyList<BicepDiagnostic> diagnostics) =>
        diagnostics.Count == 0 ? string.Empty : "Bicep reported:\n" + string.Join('\n', diagnostics);

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(=(?<default>[^}]*))?\}")]
    private static partial Regex AzdPlaceholder();
}
