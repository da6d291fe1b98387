using System.CommandLine;
using System.Text.Json.Serialization.Metadata;
using RoleMining.Api.Validation;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Output;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;
using RoleMining.SailPoint.Serialization;
using Spectre.Console;

namespace RoleMining.Cli.Commands;

/// <summary><c>rolemining sessions list|get</c>.</summary>
internal static class SessionsCommand
{
    internal static readonly IReadOnlyList<RecordColumn<RoleMiningSession>> Columns =
    [
        new("id", session => session.Id),
        new("name", session => session.Name),
        new("state", session => Formatting.Enum(session.Status?.State)),
        new("saved", session => Formatting.Boolean(session.Saved)),
        new("type", session => Formatting.Enum(session.Type)),
        new("potentialRoleCount", session => Formatting.Number(session.PotentialRoleCount)),
        new("identityCount", session => Formatting.Number(session.IdentityCount)),
        new("createdDate", session => Formatting.Time(session.CreatedDate)),
    ];

    /// <summary>The columns of one session (<c>sessions get</c>): the listing's, and when it last changed.</summary>
    internal static readonly IReadOnlyList<RecordColumn<RoleMiningSession>> DetailColumns =
        [.. Columns, new("modifiedDate", session => Formatting.Time(session.ModifiedDate))];

    private static JsonTypeInfo<RoleMiningSession> TypeInfo =>
        (JsonTypeInfo<RoleMiningSession>)RoleMiningJson.Options.GetTypeInfo(typeof(RoleMiningSession));

    public static Command Create(CommandExecution execution)
    {
        var command = new Command("sessions", "Role-mining sessions.");
        command.Subcommands.Add(CreateList(execution));
        command.Subcommands.Add(CreateGet(execution));
        return command;
    }

    private static Command CreateList(CommandExecution execution) =>
        ListingCommand.Create(
            execution,
            "list",
            "List role-mining sessions.",
            "'saved eq true' or 'name sw \"Q3\"'",
            "'-createdDate'",
            [],
            ListAsync);

    private static Command CreateGet(CommandExecution execution)
    {
        var id = CommonOptions.SailPointId(new Argument<string>("ID") { Description = "The session id." });
        var format = CommonOptions.Format();
        var outFile = CommonOptions.OutFile();
        var command = new Command("get", "Show one role-mining session.") { id, format, outFile };
        command.SetAction((parseResult, cancellationToken) => execution.RunAsync(
            parseResult,
            (run, token) => GetAsync(
                run,
                parseResult.GetRequiredValue(id),
                parseResult.GetValue(format),
                ListingCommand.FileOrStandardOutput(parseResult.GetValue(outFile)),
                token),
            cancellationToken,
            preflight: result => execution.RequireOutputDirectory(ListingCommand.FileOrStandardOutput(result.GetValue(outFile)))));
        return command;
    }

    private static Task<int> ListAsync(CliRun run, ParseResult parseResult, ListingRequest request, CancellationToken cancellationToken)
    {
        request.Validate(SailPointCollections.Sessions);

        return ListingCommand.WriteAsync(run, request, "sessions", TypeInfo, _ => Columns, query => run.Client.GetSessionsAsync(query, cancellationToken), cancellationToken);
    }

    private static async Task<int> GetAsync(CliRun run, string sessionId, string? formatName, string? outFile, CancellationToken cancellationToken)
    {
        var format = OutputFormats.Resolve(formatName, outFile);
        var session = await run.Client.GetSessionAsync(sessionId, cancellationToken);
        await using var destination = RecordDestination.Open(run, outFile);
        if (format == OutputFormat.Table)
        {
            // One record reads best as a two-column list of fields.
            var grid = new Grid().AddColumn().AddColumn();
            foreach (var column in DetailColumns)
            {
                grid.AddRow(new Text(column.Header, new Style(decoration: Decoration.Bold)), new Text(column.Value(session) ?? string.Empty));
            }

            destination.CreateTableConsole().Write(grid);
        }
        else if (format == OutputFormat.Json)
        {
            await destination.Writer.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(session, TypeInfo));
        }
        else
        {
            await using var writer = RecordOutput.CreateWriter(format, destination, TypeInfo, _ => DetailColumns);
            await writer.WritePageAsync([session], cancellationToken);
            await writer.CompleteAsync(cancellationToken);
        }

        await destination.CommitAsync(cancellationToken);
        if (destination.IsFile)
        {
            await run.Console.Output.WriteLineAsync($"Wrote session {session.Id} to {outFile}.");
        }

        return ExitCodes.Success;
    }
}
