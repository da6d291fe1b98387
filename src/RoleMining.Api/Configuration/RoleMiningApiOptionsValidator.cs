using Microsoft.Extensions.Options;

namespace RoleMining.Api;

/// <summary>Checks what data annotations cannot: the public base URL's shape and how the waits relate.</summary>
public sealed class RoleMiningApiOptionsValidator : IValidateOptions<RoleMiningApiOptions>
{
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
