namespace RoleMining.SailPoint.Authentication;

/// <summary>A bearer token and the moment it should be renewed. <see cref="ToString"/> never shows the value.</summary>
internal sealed class AccessToken(string value, DateTimeOffset expiresAt, DateTimeOffset renewAt)
{
    public string Value { get; } = value;

    public DateTimeOffset ExpiresAt { get; } = expiresAt;

    public DateTimeOffset RenewAt { get; } = renewAt;

    public bool NeedsRenewal(DateTimeOffset now) => now >= RenewAt;

    public override string ToString() => $"AccessToken {{ ExpiresAt = {ExpiresAt:O} }}";
}
