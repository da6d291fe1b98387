using System.Text;
using Microsoft.Extensions.Logging.Testing;

namespace RoleMining.Exports.Tests.Support;

/// <summary>Everything a <see cref="FakeLogCollector"/> recorded, as text: for assertions that a value never reaches a log.</summary>
internal static class FakeLogText
{
    /// <summary>Each record's category, message, structured properties, scopes and exception, one record a line.</summary>
    public static string AllText(this FakeLogCollector logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        var text = new StringBuilder();
        foreach (var record in logs.GetSnapshot())
        {
            text.Append(record.Category).Append(": ").Append(record.Message);
            foreach (var property in record.StructuredState ?? [])
            {
                text.Append(" | ").Append(property.Key).Append('=').Append(property.Value);
            }

            foreach (var scope in record.Scopes)
            {
                text.Append(" | scope ").Append(scope);
            }

            if (record.Exception is not null)
            {
                text.Append(" | ").Append(record.Exception);
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
