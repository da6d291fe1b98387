using System.CommandLine;
using System.CommandLine.Help;
using RoleMining.Cli.Hosting;

namespace RoleMining.Cli.Commands;

/// <summary>Builds the <c>rolemining</c> command tree.</summary>
internal static class CliCommandTree
{
    public const string Name = "rolemining";

    public const string Description =
        "Reads SailPoint Identity Security Cloud role-mining sessions, potential roles and identities, and exports potential roles to disk.\n\n"
        + "Tenant: SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET (or SailPoint__BaseUrl, SailPoint__ClientId, SailPoint__ClientSecret), "
        + "user secrets (dotnet user-secrets), or a --config JSON file. Secrets are never accepted on the command line. "
        + "Without a tenant, the built-in emulator is started and used.\n\n"
        + ExitCodes.HelpText;

    public static Command Build(CliContext context)
    {
        var options = new CommonOptions();
        var execution = new CommandExecution(context, options);
        var root = new Command(Name, Description)
        {
            new HelpOption(),
            new VersionOption(),
            options.Config,
            options.Verbose,
        };
        root.Subcommands.Add(SessionsCommand.Create(execution));
        root.Subcommands.Add(RolesCommand.Create(execution));
        root.Subcommands.Add(IdentitiesCommand.Create(execution));
        root.Subcommands.Add(ExportCommand.Create(execution));
        root.Subcommands.Add(SweepCommand.Create(execution));
        root.Subcommands.Add(EmulatorCommand.Create(execution));
        root.Subcommands.Add(Serve.ServeCommand.Create(execution));
        return root;
    }
}
