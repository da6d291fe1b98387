using Microsoft.Extensions.Options;

namespace RoleMining.SailPoint;

/// <summary>Validates <see cref="RoleMiningClientOptions"/> by its DataAnnotations attributes, with code generated at build time:
/// <c>ValidateDataAnnotations</c> reflects over the options, which trimming cannot follow, and the rolemining CLI is
/// published as a Native AOT executable.</summary>
[OptionsValidator]
internal sealed partial class RoleMiningClientOptionsAttributesValidator : IValidateOptions<RoleMiningClientOptions>;
