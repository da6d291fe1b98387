using Microsoft.Extensions.Options;

namespace RoleMining.Emulator;

/// <summary>Validates <see cref="EmulatorOptions"/> and the option objects below it by their DataAnnotations attributes,
/// with code generated at build time: <c>ValidateDataAnnotations</c> reflects over the options, which trimming cannot
/// follow, and the rolemining CLI that hosts the emulator is published as a Native AOT executable.</summary>
[OptionsValidator]
internal sealed partial class EmulatorOptionsValidator : IValidateOptions<EmulatorOptions>
{
    /// <summary>The check of one per-operation rate limit (a dictionary value, which the generated code does not reach).</summary>
    internal static OperationRateLimitValidator OperationRateLimit { get; } = new();

    /// <summary>The check of one route's faults (a dictionary value, which the generated code does not reach).</summary>
    internal static RouteFaultsValidator RouteFaults { get; } = new();
}

/// <summary>Validates one <see cref="EmulatorOperationRateLimit"/> by its attributes (generated).</summary>
[OptionsValidator]
internal sealed partial class OperationRateLimitValidator : IValidateOptions<EmulatorOperationRateLimit>;

/// <summary>Validates one <see cref="EmulatorRouteFaultOptions"/> by its attributes (generated).</summary>
[OptionsValidator]
internal sealed partial class RouteFaultsValidator : IValidateOptions<EmulatorRouteFaultOptions>;
