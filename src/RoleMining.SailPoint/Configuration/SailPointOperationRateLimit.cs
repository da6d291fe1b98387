namespace RoleMining.SailPoint;

/// <summary>A limit SailPoint set for one operation (route).</summary>
public sealed class SailPointOperationRateLimit
{
    /// <summary>Requests of this operation allowed in any <see cref="Window"/>.</summary>
    public int PermitLimit { get; set; }

    /// <summary>The window of <see cref="PermitLimit"/>.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);
}
