using System.ComponentModel.DataAnnotations;
using RoleMining.Validation;

namespace RoleMining.Emulator;

/// <summary>
/// The service's rate limit per client id (ISC: 100 requests per 10 seconds), counted the way <see cref="Mode"/> says,
/// and the limits of single operations on top of it (SailPoint sets such per-route limits for some tenants).
/// </summary>
public sealed class EmulatorRateLimitOptions : IValidatableObject
{
    /// <summary>Whether API requests are rate limited. The token endpoint never is.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests allowed per client id and window.</summary>
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 100;

    /// <summary>Length of the window.</summary>
    [TimeSpanRange("00:00:00.010", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How requests are counted: fixed windows from a client's first request (the default), or a sliding window.</summary>
    public EmulatorRateLimitMode Mode { get; set; } = EmulatorRateLimitMode.FixedWindow;

    /// <summary>Limits of single operations per client id, keyed by operationId (the v1 names share the plain name's limit).</summary>
#pragma warning disable CA2227 // The configuration binder and object initialisers set this dictionary.
    public Dictionary<string, EmulatorOperationRateLimit> Operations { get; set; } = new(StringComparer.Ordinal);
#pragma warning restore CA2227

    /// <summary>Validates the per-operation limits (DataAnnotations does not look into dictionary values).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(Mode))
        {
            yield return new ValidationResult("Mode must be FixedWindow or SlidingWindow.", [nameof(Mode)]);
        }

        foreach (var (operationId, limit) in Operations ?? [])
        {
            var key = $"{nameof(Operations)}:{operationId}";
            if (!OperationIds.RateLimited.Contains(operationId))
            {
                yield return new ValidationResult($"{key}: '{operationId}' is not a rate-limited operationId of the emulator.", [key]);
            }
            else if (limit is null)
            {
                yield return new ValidationResult($"{key} must not be null.", [key]);
            }
            else
            {
                var result = EmulatorOptionsValidator.OperationRateLimit.Validate(key, limit);
                foreach (var failure in result.Failures ?? [])
                {
                    yield return new ValidationResult(failure, [key]);
                }
            }
        }
    }
}

/// <summary>How the emulator counts a client's requests against its limit.</summary>
public enum EmulatorRateLimitMode
{
    /// <summary>Windows of fixed length one after another, the first starting with the client's first request; the count
    /// resets when a window ends (<c>Retry-After</c>: the time to that end).</summary>
    FixedWindow,

    /// <summary>The last window's length before each request, whenever it arrives (<c>Retry-After</c>: until the oldest
    /// counted request leaves it). Stricter: a burst across a fixed window's end is refused.</summary>
    SlidingWindow,
}

/// <summary>The limit of one operation per client id.</summary>
public sealed class EmulatorOperationRateLimit
{
    /// <summary>Requests of the operation allowed per client id and window.</summary>
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 100;

    /// <summary>Length of the window.</summary>
    [TimeSpanRange("00:00:00.010", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);
}
