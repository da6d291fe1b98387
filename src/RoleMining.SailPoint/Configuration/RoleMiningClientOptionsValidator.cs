using System.Net;
using Microsoft.Extensions.Options;
using RoleMining.SailPoint.Http;

namespace RoleMining.SailPoint;

/// <summary>Start-up validation of <see cref="RoleMiningClientOptions"/>, including the nested budgets.</summary>
internal sealed class RoleMiningClientOptionsValidator : IValidateOptions<RoleMiningClientOptions>
{
    public ValidateOptionsResult Validate(string? name, RoleMiningClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Collect(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>For clients built without DI: the same checks, thrown as <see cref="OptionsValidationException"/>.</summary>
    public static void ThrowIfInvalid(RoleMiningClientOptions options)
    {
        var failures = Collect(options);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(RoleMiningClientOptions), failures);
        }
    }

    /// <summary>HTTPS, or plain HTTP to this machine only (an emulator or a local proxy).</summary>
    public static bool IsAllowedBaseUrl(Uri url) =>
        url.IsAbsoluteUri
        && (url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && IsLoopback(url)))
        && string.IsNullOrEmpty(url.Query)
        && string.IsNullOrEmpty(url.Fragment)
        && string.IsNullOrEmpty(url.UserInfo);

    /// <summary>The first path segment that belongs to the API rather than to the tenant's root (v3, v2024, beta, oauth, role-mining-...).</summary>
    private static string? ApiPathIn(Uri url) =>
        url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(segment =>
            RoleMiningApiVersions.FromPathSegment(segment) is not null
            || (segment.Length > 1 && (segment[0] is 'v' or 'V') && segment[1..].All(char.IsAsciiDigit))
            || segment.Equals("oauth", StringComparison.OrdinalIgnoreCase)
            || segment.StartsWith("role-mining", StringComparison.OrdinalIgnoreCase));

    private static bool IsLoopback(Uri url) =>
        string.Equals(url.Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && (address.Equals(IPAddress.Loopback) || address.Equals(IPAddress.IPv6Loopback)));

    private static List<string> Collect(RoleMiningClientOptions options)
    {
        var failures = new List<string>();
        if (options.BaseUrl is null)
        {
            failures.Add("SailPoint:BaseUrl is required (or set SAIL_BASE_URL), e.g. https://{tenant}.api.identitynow.com.");
        }
        else if (!IsAllowedBaseUrl(options.BaseUrl))
        {
            failures.Add("SailPoint:BaseUrl (SAIL_BASE_URL) must be an absolute https URL without query or credentials; plain http is allowed only for 127.0.0.1, localhost or [::1].");
        }
        else if (ApiPathIn(options.BaseUrl) is { } apiPath)
        {
            // The token endpoint and the API version are appended to the base URL: with '/v2024' in it the token request
            // would go to '/v2024/oauth/token' and fail as if the credentials were wrong. (A proxy's own prefix is fine.)
            failures.Add(
                $"SailPoint:BaseUrl (SAIL_BASE_URL) must be the tenant's API root, without an API version or API path: '{options.BaseUrl.GetLeftPart(UriPartial.Path)}' "
                + $"contains '/{apiPath}', which the client adds itself (the version from SailPoint:ApiVersion). Use e.g. https://{{tenant}}.api.identitynow.com.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            failures.Add("SailPoint:ClientId is required (or set SAIL_CLIENT_ID).");
        }

        if (string.IsNullOrWhiteSpace(options.ClientSecret))
        {
            failures.Add("SailPoint:ClientSecret is required (or set SAIL_CLIENT_SECRET).");
        }

        if (!Enum.IsDefined(options.ApiVersion))
        {
            failures.Add($"SailPoint:ApiVersion must be one of {RoleMiningApiVersions.Written}.");
        }

        if (options.TokenRenewalMargin < TimeSpan.Zero)
        {
            failures.Add("SailPoint:TokenRenewalMargin must not be negative.");
        }

        var rateLimit = options.RateLimit;
        if (rateLimit is null)
        {
            failures.Add("SailPoint:RateLimit is required.");
        }
        else if (rateLimit.Enabled)
        {
            if (rateLimit.PermitLimit < 1)
            {
                failures.Add("SailPoint:RateLimit:PermitLimit must be 1 or more.");
            }

            if (rateLimit.Window <= TimeSpan.Zero || rateLimit.Window > TimeSpan.FromDays(1))
            {
                failures.Add("SailPoint:RateLimit:Window must be positive and at most 1 day.");
            }

            if (!(rateLimit.Share > 0 && rateLimit.Share <= 1))
            {
                failures.Add("SailPoint:RateLimit:Share must be above 0 and at most 1 (the share of the client id's budget this app uses).");
            }

            if (rateLimit.JitterMargin < TimeSpan.Zero || rateLimit.JitterMargin > TimeSpan.FromMinutes(1))
            {
                failures.Add("SailPoint:RateLimit:JitterMargin must be between 0 and 1 minute.");
            }

            if (rateLimit.QueueLimit < 0)
            {
                failures.Add("SailPoint:RateLimit:QueueLimit must not be negative.");
            }

            if (rateLimit.LeaseRenewal < TimeSpan.FromMilliseconds(100) || rateLimit.LeaseRenewal > TimeSpan.FromMinutes(10))
            {
                failures.Add("SailPoint:RateLimit:LeaseRenewal must be between 100 ms and 10 minutes.");
            }

            foreach (var (operationId, limit) in rateLimit.Operations ?? [])
            {
                var key = $"SailPoint:RateLimit:Operations:{operationId}";
                if (!RoleMiningRoutes.OperationIds.Contains(operationId))
                {
                    failures.Add($"{key}: '{operationId}' is not a role-mining operationId; use one of {string.Join(", ", RoleMiningRoutes.OperationIds)}.");
                }
                else if (limit is null || limit.PermitLimit < 1)
                {
                    failures.Add($"{key}:PermitLimit must be 1 or more.");
                }
                else if (limit.Window <= TimeSpan.Zero || limit.Window > TimeSpan.FromDays(1))
                {
                    failures.Add($"{key}:Window must be positive and at most 1 day.");
                }
            }
        }

        var retry = options.Retry;
        if (retry is null)
        {
            failures.Add("SailPoint:Retry is required.");
        }
        else
        {
            if (retry.MaxRetryAttempts is < 0 or > 50)
            {
                failures.Add("SailPoint:Retry:MaxRetryAttempts must be between 0 and 50.");
            }

            if (retry.BaseDelay < TimeSpan.Zero || retry.BaseDelay > TimeSpan.FromDays(1))
            {
                failures.Add("SailPoint:Retry:BaseDelay must be between 0 and 1 day.");
            }

            if (retry.MaxDelay < retry.BaseDelay)
            {
                failures.Add("SailPoint:Retry:MaxDelay must not be less than BaseDelay.");
            }

            if (retry.MaxRetryAfter < TimeSpan.Zero)
            {
                failures.Add("SailPoint:Retry:MaxRetryAfter must not be negative.");
            }

            if (retry.MaxConnectRetryAttempts is < 0 or > 50)
            {
                failures.Add("SailPoint:Retry:MaxConnectRetryAttempts must be between 0 and 50.");
            }
        }

        var timeouts = options.Timeouts;
        if (timeouts is null)
        {
            failures.Add("SailPoint:Timeouts is required.");
        }
        else
        {
            // Polly's timeout strategy accepts 10 ms to 24 h.
            if (timeouts.Attempt < TimeSpan.FromMilliseconds(10) || timeouts.Attempt > TimeSpan.FromHours(24))
            {
                failures.Add("SailPoint:Timeouts:Attempt must be between 10 ms and 24 h.");
            }

            if (timeouts.Total < TimeSpan.FromMilliseconds(10) || timeouts.Total > TimeSpan.FromHours(24))
            {
                failures.Add("SailPoint:Timeouts:Total must be between 10 ms and 24 h.");
            }
            else if (timeouts.Total < timeouts.Attempt)
            {
                failures.Add("SailPoint:Timeouts:Total must not be less than Timeouts:Attempt.");
            }

            if (timeouts.Connect < TimeSpan.FromMilliseconds(100) || timeouts.Connect > TimeSpan.FromHours(24))
            {
                failures.Add("SailPoint:Timeouts:Connect must be between 100 ms and 24 h.");
            }

            if (timeouts.DownloadIdle < TimeSpan.FromMilliseconds(100) || timeouts.DownloadIdle > TimeSpan.FromHours(1))
            {
                failures.Add("SailPoint:Timeouts:DownloadIdle must be between 100 ms and 1 h.");
            }
        }

        var breaker = options.CircuitBreaker;
        if (breaker is null)
        {
            failures.Add("SailPoint:CircuitBreaker is required.");
        }
        else if (breaker.Enabled)
        {
            // Polly's circuit breaker bounds.
            if (breaker.FailureRatio is <= 0 or > 1)
            {
                failures.Add("SailPoint:CircuitBreaker:FailureRatio must be above 0 and at most 1.");
            }

            if (breaker.MinimumThroughput < 2)
            {
                failures.Add("SailPoint:CircuitBreaker:MinimumThroughput must be 2 or more.");
            }

            if (breaker.SamplingDuration < TimeSpan.FromMilliseconds(500))
            {
                failures.Add("SailPoint:CircuitBreaker:SamplingDuration must be 500 ms or more.");
            }

            if (breaker.BreakDuration < TimeSpan.FromMilliseconds(500))
            {
                failures.Add("SailPoint:CircuitBreaker:BreakDuration must be 500 ms or more.");
            }
        }

        return failures;
    }
}
