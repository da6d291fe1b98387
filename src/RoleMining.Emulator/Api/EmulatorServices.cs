using Microsoft.Extensions.Options;
using RoleMining.Emulator.Exports;
using RoleMining.Emulator.Faults;

namespace RoleMining.Emulator.Api;

/// <summary>The singletons the endpoint handlers use, resolved once per request.</summary>
internal sealed class EmulatorServices(
    EmulatorTenant tenant, IOptions<EmulatorOptions> options, EmulatorStatistics statistics, ExportStore exports, FaultDecider faults)
{
    public EmulatorTenant Tenant { get; } = tenant;

    public EmulatorOptions Options => options.Value;

    public EmulatorStatistics Statistics { get; } = statistics;

    public ExportStore Exports { get; } = exports;

    public FaultDecider Faults { get; } = faults;

    public static EmulatorServices Of(HttpContext context) => context.RequestServices.GetRequiredService<EmulatorServices>();
}
