namespace RoleMining.Exports;

/// <summary>
/// Queue names, one per step: the Functions app binds its queue triggers to these and Bicep creates them. Azure Queue
/// Storage moves a message that failed too often to <c>{name}-poison</c>.
/// </summary>
public static class ExportQueueNames
{
    /// <summary>Queue of <see cref="ExportStep.Start"/> messages.</summary>
    public const string Start = "export-start";

    /// <summary>Queue of <see cref="ExportStep.Poll"/> messages.</summary>
    public const string Poll = "export-poll";

    /// <summary>Queue of <see cref="ExportStep.Download"/> messages.</summary>
    public const string Download = "export-download";

    /// <summary>Queue of <see cref="ExportStep.Callback"/> messages.</summary>
    public const string Callback = "export-callback";

    /// <summary>The suffix Azure Queue Storage appends for poison messages.</summary>
    public const string PoisonSuffix = "-poison";

    /// <summary>Every step queue.</summary>
    public static IReadOnlyList<string> All { get; } = [Start, Poll, Download, Callback];

    /// <summary>The queue of <paramref name="step"/>.</summary>
    public static string For(ExportStep step) => step switch
    {
        ExportStep.Start => Start,
        ExportStep.Poll => Poll,
        ExportStep.Download => Download,
        ExportStep.Callback => Callback,
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "Unknown export step."),
    };

    /// <summary>The poison queue of <paramref name="step"/>.</summary>
    public static string PoisonFor(ExportStep step) => For(step) + PoisonSuffix;
}
