using RoleMining.Testing.FunctionsHost;

namespace RoleMining.Functions.EndToEndTests.Infrastructure;

/// <summary>A fact that is skipped, with the reason, on a machine that has no Azure Functions host.</summary>
public sealed class RequiresFunctionsHostFactAttribute : FactAttribute
{
    public RequiresFunctionsHostFactAttribute()
    {
        if (FunctionsHostLocator.Missing is { } reason)
        {
            Skip = reason;
        }
    }
}
