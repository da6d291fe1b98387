using System.CommandLine;
using System.Text.Json.Serialization.Metadata;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Output;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;
using RoleMining.SailPoint.Serialization;

namespace RoleMining.Cli.Commands;

/// <summary><c>rolemining roles list --session ID</c>: the potential roles of a session.</summary>
internal static class RolesCommand
{
    internal static readonly IReadOnlyList<RecordColumn<PotentialRoleSummary>> Columns =
    [
        new("id", role => role.Id),
        new("name", role => role.Name),
        new("identityCount", role => Formatting.Number(role.IdentityCount)),
        new("entitlementCount", role => Formatting.Number(role.EntitlementCount)),
        new("density", role => Formatting.Number(role.Density)),
        new("freshness", role => Formatting.Number(role.Freshness)),
        new("quality", role => Formatting.Number(role.Quality)),
        new("type", role => Formatting.Enum(role.Type)),
        new("provisionState", role => Formatting.Enum(role.ProvisionState)),
        new("saved", role => Formatting.Boolean(role.Saved)),
    ];

    private static JsonTypeInfo<PotentialRoleSummary> TypeInfo =>
        (JsonTypeInfo<PotentialRoleSummary>)RoleMiningJson.Options.GetTypeInfo(typeof(PotentialRoleSummary));

    public static Command Create(CommandExecution execution)
    {
        var command = new Command("roles", "Potential roles of a role-mining session.");
        command.Subcommands.Add(CreateList(execution));
        return command;
    }

    private static Command CreateList(CommandExecution execution)
    {
        var session = CommonOptions.Session(required: true);
        var filter = CommonOptions.Filter("'createdById eq \"...\"'");
        var sort = CommonOptions.Sort("'createdDate' or '-createdDate' (the only sorter ISC supports here)");
        var format = CommonOptions.Format();
        var outFile = CommonOptions.OutFile();
        var command = new Command("list", "List the potential roles of a session.") { session, filter, sort, format, outFile };
        command.SetAction((parseResult, cancellationToken) => execution.RunAsync(
            parseResult,
            (run, token) => ListAsync(
                run,
                parseResult.GetRequiredValue(session),
                parseResult.GetValue(filter),
                parseResult.GetValue(sort),
                OutputFormats.Parse(parseResult.GetValue(format)),
                parseResult.GetValue(outFile),
                token),
            cancellationToken,
            preflight: result => execution.RequireOutputDirectory(result.GetValue(outFile))));
        return command;
    }

    private static async Task<int> ListAsync(CliRun run, string sessionId, string? filter, string? sort, OutputFormat format, string? outFile, CancellationToken cancellationToken)
    {
        await using var destination = RecordDestination.Open(run.Context, outFile);
        var writer = RecordOutput.CreateWriter(format, destination, TypeInfo, _ => Columns);
        var pages = RecordOutput.PagesAsync<PotentialRoleSummary>(
            (request, token) => run.Client.GetPotentialRoleSummariesPageAsync(sessionId, request, token), filter, sort, cancellationToken);
        var count = await PageProgress.RunAsync(run.Console, destination.IsFile, "potential roles", report =>
            RecordOutput.WriteAllAsync(destination, writer, pages, (_, written, total) => report(written, total), cancellationToken));
        if (destination.IsFile)
        {
            await run.Console.Output.WriteLineAsync($"Wrote {count} potential roles to {outFile}.");
        }

        return ExitCodes.Success;
    }
}
