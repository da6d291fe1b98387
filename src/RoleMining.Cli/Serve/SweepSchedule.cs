using NCrontab;

namespace RoleMining.Cli.Serve;

/// <summary>
/// The CRON schedule of the export sweep (<c>RoleMining:Schedule</c>), read as the Azure Functions timer trigger reads it:
/// NCrontab with six fields (<c>{second} {minute} {hour} {day} {month} {day-of-week}</c>, e.g. <c>0 0 2 * * *</c>), or
/// the classic five without seconds. Occurrences are in UTC, as the Functions host's default.
/// </summary>
internal sealed class SweepSchedule
{
    private readonly CrontabSchedule _schedule;

    private SweepSchedule(string expression, CrontabSchedule schedule)
    {
        Expression = expression;
        _schedule = schedule;
    }

    /// <summary>The expression as configured.</summary>
    public string Expression { get; }

    /// <summary>Parses <paramref name="expression"/>; null with a reason when it is not a CRON expression.</summary>
    public static SweepSchedule? TryParse(string? expression, out string? error)
    {
        error = null;
        var text = expression?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "The schedule is empty.";
            return null;
        }

        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
        {
            error = $"'{text}' has {fields} fields; a schedule has 6 ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}, e.g. '0 0 2 * * *') or 5 (without seconds).";
            return null;
        }

        var schedule = CrontabSchedule.TryParse(text, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 });
        if (schedule is null)
        {
            error = $"'{text}' is not a valid CRON expression.";
            return null;
        }

        return new SweepSchedule(text, schedule);
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>.</summary>
    public DateTimeOffset NextAfter(DateTimeOffset after)
    {
        var next = _schedule.GetNextOccurrence(after.UtcDateTime);
        return new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc));
    }
}
