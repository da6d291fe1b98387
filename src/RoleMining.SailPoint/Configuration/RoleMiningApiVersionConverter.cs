using System.ComponentModel;
using System.Globalization;

namespace RoleMining.SailPoint;

/// <summary>
/// Reads a <see cref="RoleMiningApiVersion"/> from configuration as ISC writes it (<c>v2024</c>, <c>beta</c>, <c>v1</c>, any
/// case) and nothing else: the binder's own enum parsing would also take numbers and comma-separated flags (<c>"1"</c>,
/// <c>"v2024,beta"</c>) and fail on a typo with a message that does not list the versions. Anything else reads as no
/// version, which the options validator reports with the versions there are.
/// </summary>
internal sealed class RoleMiningApiVersionConverter : EnumConverter
{
    public RoleMiningApiVersionConverter()
        : base(typeof(RoleMiningApiVersion))
    {
    }

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text
            ? RoleMiningApiVersions.FromPathSegment(text.Trim()) ?? default
            : base.ConvertFrom(context, culture, value);

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        destinationType == typeof(string) && value is RoleMiningApiVersion version && Enum.IsDefined(version)
            ? version.PathSegment()
            : base.ConvertTo(context, culture, value, destinationType);
}
