namespace RoleMining.Infrastructure.Tests.Support;

/// <summary>The app settings the Bicep gives the Function App, and the names the platform reads by itself.</summary>
internal static class AppSettings
{
    public const string FunctionAppBicep = "infra/app/function-app.bicep";

    /// <summary>Setting name to its value expression, from the <c>appsettings</c> config resource.</summary>
    public static IReadOnlyDictionary<string, string> FromBicep() =>
        BicepFile.Load(FunctionAppBicep).PropertiesAfter("name: 'appsettings'");

    /// <summary>
    /// Settings only Azure needs, with why: the identity-based storage settings replace the local connection string, and
    /// Application Insights is not used locally (an empty connection string would fail the SDK).
    /// </summary>
    public static IReadOnlyDictionary<string, string> AzureOnly { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AzureWebJobsStorage__credential"] = "identity-based storage; locally AzureWebJobsStorage holds Azurite's connection string",
        ["AzureWebJobsStorage__clientId"] = "identity-based storage",
        ["AzureWebJobsStorage__blobServiceUri"] = "identity-based storage",
        ["AzureWebJobsStorage__queueServiceUri"] = "identity-based storage",
        ["AzureWebJobsStorage__tableServiceUri"] = "the host's diagnostic events; Azurite's connection string covers tables locally",
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "telemetry goes to Application Insights only in Azure",
        ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "Entra-authenticated telemetry, Azure only",
        ["RoleMining__Api__PublicBaseUrl"] = "the app's own host name; locally links use each request's host",
        ["RoleMining__Api__Authentication__Entra__Authority"] = "Entra ID callers exist only in Azure; local runs use an API key",
        ["RoleMining__Api__Authentication__Entra__AdditionalIssuers"] = "Entra ID, Azure only",
        ["RoleMining__Api__Authentication__Entra__Audiences"] = "Entra ID, Azure only",
        ["RoleMining__Api__Authentication__Entra__AllowedClientApplications"] = "Entra ID, Azure only",
        ["RoleMining__Api__Authentication__ApiKeys__SailPointWorkflow"] = "the SailPoint Workflow calls the deployed app; locally the LocalDevelopment key is used",
        ["RoleMining__Api__Callbacks__SailPointWorkflow__Url"] = "the receiver of completed exports (a Key Vault reference), Azure only",
        ["RoleMining__Api__Callbacks__SailPointWorkflow__TokenUrl"] = "callback, Azure only",
        ["RoleMining__Api__Callbacks__SailPointWorkflow__ClientId"] = "callback, Azure only",
        ["RoleMining__Api__Callbacks__SailPointWorkflow__ClientSecret"] = "callback (a Key Vault reference), Azure only",
    };

    /// <summary>
    /// Settings only the local Core Tools host needs: on Flex Consumption the runtime is part of the site's
    /// functionAppConfig, and app settings may not set it; the connection string is replaced by identity-based settings.
    /// </summary>
    public static IReadOnlyDictionary<string, string> LocalOnly { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["FUNCTIONS_WORKER_RUNTIME"] = "Flex Consumption sets the runtime in functionAppConfig, not in app settings",
        ["AzureWebJobsStorage"] = "Azurite connection string; Azure uses the identity-based AzureWebJobsStorage__* settings",
        ["RoleMining__Api__Authentication__ApiKeys__LocalDevelopment"] = "the SHA-256 of the documented local key 'local-development-key' (README), never deployed",
    };
}
