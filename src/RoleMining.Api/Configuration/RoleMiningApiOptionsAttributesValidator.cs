using Microsoft.Extensions.Options;

namespace RoleMining.Api;

/// <summary>Validates <see cref="RoleMiningApiOptions"/> by its DataAnnotations attributes, with code generated at build time:
/// <c>ValidateDataAnnotations</c> reflects over the options, which trimming cannot follow, and the rolemining CLI is
/// published as a Native AOT executable.</summary>
[OptionsValidator]
internal sealed partial class RoleMiningApiOptionsAttributesValidator : IValidateOptions<RoleMiningApiOptions>;
