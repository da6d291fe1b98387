using Microsoft.Extensions.Configuration;

namespace RoleMining.SailPoint;

/// <summary>
/// Binds <see cref="RoleMiningClientOptions"/> from configuration, with <see cref="RoleMiningClientOptions.ApiVersion"/>
/// read as ISC writes it (<c>v2024</c>, <c>beta</c>, <c>v1</c>, any case) and nothing else.
/// </summary>
/// <remarks>
/// The configuration binder is generated at build time (trim-safe: the rolemining CLI is a Native AOT executable), and the
/// generated binder parses an enum itself: it ignores <see cref="RoleMiningApiVersionConverter"/>, takes numbers and
/// comma-separated flags (<c>"1"</c>, <c>"v2024,beta"</c>) and throws on a typo without listing the versions. So the binder
/// is handed the version as a name it parses, or as 0, no version, which the options validator reports with the versions
/// there are.
/// </remarks>
internal static class RoleMiningClientOptionsBinding
{
    public static void Bind(IConfiguration section, RoleMiningClientOptions options)
    {
        if (section[nameof(RoleMiningClientOptions.ApiVersion)] is not { } written)
        {
            section.Bind(options);
            return;
        }

        var version = RoleMiningApiVersions.FromPathSegment(written.Trim());
        var normalized = new ConfigurationBuilder()
            .AddConfiguration(section, shouldDisposeConfiguration: false)
            .AddInMemoryCollection([new(nameof(RoleMiningClientOptions.ApiVersion), version is { } known ? known.ToString() : "0")])
            .Build();
        normalized.Bind(options);
    }
}
