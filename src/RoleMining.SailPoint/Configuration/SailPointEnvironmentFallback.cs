using Microsoft.Extensions.Options;

namespace RoleMining.SailPoint;

/// <summary>
/// Fills the connection settings that configuration left empty from the variables the SailPoint SDKs and CLI use
/// (<c>SAIL_BASE_URL</c>, <c>SAIL_CLIENT_ID</c>, <c>SAIL_CLIENT_SECRET</c>). An explicit configuration value wins.
/// </summary>
internal sealed class SailPointEnvironmentFallback : IPostConfigureOptions<RoleMiningClientOptions>
{
    public const string BaseUrlVariable = "SAIL_BASE_URL";
    public const string ClientIdVariable = "SAIL_CLIENT_ID";
    public const string ClientSecretVariable = "SAIL_CLIENT_SECRET";

    private readonly Func<string, string?> _environment;

    public SailPointEnvironmentFallback()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    public SailPointEnvironmentFallback(Func<string, string?> environment) => _environment = environment;

    public void PostConfigure(string? name, RoleMiningClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BaseUrl is null && _environment(BaseUrlVariable) is { Length: > 0 } baseUrl)
        {
            // An unparsable value stays null, and validation then reports the missing base URL by name.
            options.BaseUrl = Uri.TryCreate(baseUrl.Trim(), UriKind.Absolute, out var parsed) ? parsed : null;
        }

        if (string.IsNullOrWhiteSpace(options.ClientId) && _environment(ClientIdVariable) is { Length: > 0 } clientId)
        {
            options.ClientId = clientId.Trim();
        }

        if (string.IsNullOrWhiteSpace(options.ClientSecret) && _environment(ClientSecretVariable) is { Length: > 0 } clientSecret)
        {
            options.ClientSecret = clientSecret;
        }
    }
}
