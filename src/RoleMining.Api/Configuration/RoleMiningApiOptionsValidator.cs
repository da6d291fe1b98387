using Microsoft.Extensions.Options;

namespace RoleMining.Api;

/// <summary>Checks what data annotations cannot: the public base URL's shape and how the waits relate.</summary>
/// <param name="platformKeyVaultReferences">Registered by a host whose platform resolves Key Vault references
/// (<see cref="PlatformKeyVaultReferences"/>); empty elsewhere.</param>
public sealed class RoleMiningApiOptionsValidator(IEnumerable<PlatformKeyVaultReferences> platformKeyVaultReferences) : IValidateOptions<RoleMiningApiOptions>
{
    private readonly bool _platformResolvesKeyVaultReferences = platformKeyVaultReferences.Any();

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RoleMiningApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.PublicBaseUrl is { } url
            && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment)))
        {
            failures.Add("RoleMining:Api:PublicBaseUrl must be an absolute http(s) URL without query or fragment, e.g. https://contoso-rolemining.azurewebsites.net.");
        }

        if (options.ExportRetryAfter > options.MaxExportRetryAfter)
        {
            failures.Add("RoleMining:Api:ExportRetryAfter must not exceed RoleMining:Api:MaxExportRetryAfter.");
        }

        foreach (var (callbackName, callback) in options.Callbacks.Where(pair => pair.Value.IsConfigured))
        {
            failures.AddRange(callback.Validate($"RoleMining:Api:Callbacks:{callbackName}", _platformResolvesKeyVaultReferences));
            if (options.PublicBaseUrl is null)
            {
                failures.Add($"RoleMining:Api:Callbacks:{callbackName} needs RoleMining:Api:PublicBaseUrl: a callback's links to the job and its files are built on it.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
