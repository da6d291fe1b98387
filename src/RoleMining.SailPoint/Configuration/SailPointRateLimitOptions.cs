namespace RoleMining.SailPoint;

/// <summary>
/// The SailPoint request budget of this app's client id. ISC allows, by default, 100 requests per 10 s per client id and
/// answers 429 with <c>Retry-After</c> beyond that; SailPoint sets other limits per tenant or per API route on request.
/// Set these to what the tenant allows: the client then sends a burst of up to <see cref="PermitLimit"/> when the budget is
/// idle and paces itself after that, and never sends more in any window than the service allows.
/// </summary>
public sealed class SailPointRateLimitOptions
{
    /// <summary>Whether requests are limited on the client side.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests the service allows this client id in any <see cref="Window"/> (ISC's default: 100).</summary>
    public int PermitLimit { get; set; } = 100;

    /// <summary>The window of <see cref="PermitLimit"/> (ISC's default: 10 s).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The share of the client id's budget this app may use, above 0 and at most 1: below 1 when other integrations use the
    /// same client id, so that they keep headroom (0.8 leaves them 20 of 100). Applies to the per-operation limits too.
    /// </summary>
    public double Share { get; set; } = 1.0;

    /// <summary>
    /// Time added to every window on the client side, for the jitter between taking a permit and the request's arrival at
    /// the service (scheduling, connection set-up, network) and for clock differences between instances.
    /// </summary>
    public TimeSpan JitterMargin { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Limits SailPoint set for single operations, keyed by the operation's spec operationId (for example
    /// <c>exportRoleMiningPotentialRoleAsync</c>; the same key in every API version); each applies on top of
    /// <see cref="PermitLimit"/>.
    /// </summary>
#pragma warning disable CA2227 // The configuration binder and object initialisers set this dictionary.
    public Dictionary<string, SailPointOperationRateLimit> Operations { get; set; } = new(StringComparer.Ordinal);
#pragma warning restore CA2227

    /// <summary>Requests that may wait for a permit in this process before new ones are refused.</summary>
    public int QueueLimit { get; set; } = 100_000;

    /// <summary>
    /// With a shared budget (an <see cref="ISailPointRateBudgetStore"/> is registered): the longest time an instance that
    /// holds a share of the budget goes without reading the store again; its lease on the share lasts three times as long.
    /// Shorter moves shares sooner to the instances that need them, and brings a 429's pause to every instance sooner;
    /// longer costs fewer storage requests. An instance reads sooner than this while its share changes.
    /// </summary>
    public TimeSpan LeaseRenewal { get; set; } = TimeSpan.FromSeconds(10);
}
