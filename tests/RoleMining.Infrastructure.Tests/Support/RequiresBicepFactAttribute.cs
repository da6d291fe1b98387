namespace RoleMining.Infrastructure.Tests.Support;

/// <summary>A fact that is skipped, with the reason, where no Bicep CLI can run (see <see cref="BicepCli"/>).</summary>
public sealed class RequiresBicepFactAttribute : FactAttribute
{
    public RequiresBicepFactAttribute()
    {
        if (BicepCli.Missing is { } reason)
        {
            Skip = reason;
        }
    }
}
