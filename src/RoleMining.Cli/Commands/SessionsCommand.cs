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
        var id = new Argument<string>("ID") { Description = "The session id." };
        var format = CommonOptions.Format();
        var command = new Command("get", "Show one role-mining session.") { id, format };
        command.SetAction((parseResult, cancellationToken) => execution.RunAsync(
            parseResult,
            (run, token) => GetAsync(run, parseResult.GetRequiredValue(id), OutputFormats.Parse(parseResult.GetValue(format)), token),
            cancellationToken));
        return command;
    }

    private static Task<int> ListAsync(CliRun run, ParseResult parseResult, ListingRequest request, CancellationToken cancellationToken)
    {
        request.Validate(SailPointCollections.Sessions);

        return ListingCommand.WriteAsync(run, request, "sessions", TypeInfo, _ => Columns, query => run.Client.GetSessionsAsync(query, cancellationToken), cancellationToken);
    }

    private static async Task<int> GetAsync(CliRun run, string sessionId, OutputFormat format, CancellationToken cancellationToken)
    {
        var session = await run.Client.GetSessionAsync(sessionId, cancellationToken);
        if (format == OutputFormat.Table)
        {
            // One record reads best as a two-column list of fields.
            var grid = new Grid().AddColumn().AddColumn();
            foreach (var column in Columns)
            {
                grid.AddRow(new Text(column.Header, new Style(decoration: Decoration.Bold)), new Text(column.Value(session) ?? string.Empty));
            }

            grid.AddRow(new Text("modifiedDate", new Style(decoration: Decoration.Bold)), new Text(Formatting.Time(session.ModifiedDate) ?? string.Empty));
            run.Console.CreateOutputConsole().Write(grid);
            return ExitCodes.Success;
        }

        await using var destination = RecordDestination.Open(run.Context, outFile: null);
        if (format == OutputFormat.Json)
        {
            await run.Console.Output.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(session, TypeInfo));
        }
        else
        {
            await using (var writer = RecordOutput.CreateWriter(format, destination, TypeInfo, _ => Columns))
            {
                await writer.WritePageAsync([session], cancellationToken);
                await writer.CompleteAsync(cancellationToken);
            }
        }

        await destination.CommitAsync(cancellationToken);
        return ExitCodes.Success;
    }
}
