using System.Security.Cryptography;
using System.Text;
using RoleMining.SailPoint.Http;

namespace RoleMining.SailPoint.RateLimiting;

/// <summary>
/// The limits of one client id's budget as this app may use them: the configured limits times the app's share, each
/// window widened by the jitter margin (see <see cref="RequestLog"/>), and which operations have limits of their own.
/// </summary>
internal sealed class RateBudgetPolicy
{
    /// <summary>The group of the operations without a limit of their own.</summary>
    public const string DefaultGroup = "";

    private readonly Dictionary<string, (int Limit, TimeSpan Window)> _operations;

    public RateBudgetPolicy(RoleMiningClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rateLimit = options.RateLimit;
        BudgetId = BudgetIdOf(options.BaseUrl!, options.ClientId!);
        Limit = Scale(rateLimit.PermitLimit, rateLimit.Share);
        Window = rateLimit.Window;
        Margin = rateLimit.JitterMargin;
        LeaseRenewal = rateLimit.LeaseRenewal;
        QueueLimit = rateLimit.QueueLimit;
        LongestPause = options.Retry.MaxRetryAfter;
        _operations = (rateLimit.Operations ?? []).ToDictionary(
            pair => pair.Key,
            pair => (Scale(pair.Value.PermitLimit, rateLimit.Share), pair.Value.Window),
            StringComparer.Ordinal);
    }

    /// <summary>Names the budget: the same tenant and client id give the same name in every process.</summary>
    public string BudgetId { get; }

    /// <summary>Requests this app may send in any <see cref="Window"/>.</summary>
    public int Limit { get; }

    public TimeSpan Window { get; }

    /// <summary>What every window is widened by on the client side.</summary>
    public TimeSpan Margin { get; }

    /// <summary>The longest an instance holding a share of a shared budget goes without reading it again.</summary>
    public TimeSpan LeaseRenewal { get; }

    /// <summary>How long a share stays an instance's without a renewal: long enough to outlast a slow store, short
    /// enough that the share of an instance that died comes back soon.</summary>
    public TimeSpan LeaseDuration => 3 * LeaseRenewal;

    public int QueueLimit { get; }

    /// <summary>A 429 asking to wait longer than this fails the requests at once (as the retry policy does).</summary>
    public TimeSpan LongestPause { get; }

    /// <summary>The group an operation's permits come from: itself when it has a limit of its own, else the default group.</summary>
    public string GroupOf(string operationId)
    {
        var canonical = RoleMiningRoutes.CanonicalOperationId(operationId);
        return _operations.ContainsKey(canonical) ? canonical : DefaultGroup;
    }

    public IEnumerable<string> Groups => _operations.Keys.Prepend(DefaultGroup);

    /// <summary>The permits a group has in any of its windows: the budget's limit for the default group.</summary>
    public int LimitOf(string group) => _operations.TryGetValue(group, out var limit) ? limit.Limit : Limit;

    /// <summary>The in-process log of the whole budget.</summary>
    public RequestLog NewBudgetRequestLog() => new(Limit, (Window + Margin).Ticks);

    /// <summary>The in-process log of a group's own limit; null for the default group.</summary>
    public RequestLog? NewGroupRequestLog(string group) =>
        _operations.TryGetValue(group, out var limit) ? new RequestLog(limit.Limit, (limit.Window + Margin).Ticks) : null;

    /// <summary>The longest span of any log (what a shared document must remember).</summary>
    public TimeSpan LongestSpan => _operations.Values.Select(limit => limit.Window).Append(Window).Max() + Margin;

    private static int Scale(int permits, double share) => Math.Max(1, (int)Math.Floor(permits * share));

    private static string BudgetIdOf(Uri baseUrl, string clientId)
    {
        var key = baseUrl.GetLeftPart(UriPartial.Authority).ToLowerInvariant() + "|" + clientId;
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }
}
