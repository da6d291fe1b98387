namespace RoleMining.Emulator.ContractTests.Validation;

public enum ViolationKind
{
    /// <summary>The value breaks the schema (type, format, enum, required, nullability, oneOf...).</summary>
    Structure,

    /// <summary>The value carries a property the schema does not declare (fidelity: the emulator must not invent fields).</summary>
    UndeclaredProperty,
}

/// <summary>One reason a JSON value does not match a schema, located by a JSON path such as <c>$.items[3].status.state</c>.</summary>
public sealed record SchemaViolation(string Path, string Message, ViolationKind Kind)
{
    public override string ToString() => $"{Path}: {Message}";
}
