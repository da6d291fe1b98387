using Microsoft.Extensions.Options;
using RoleMining.Emulator;

// --help (-h, -?) prints the usage and exits 0 without listening. Bad arguments and settings end the program with one
// line and exit code 2, before the host starts (a host that fails to start logs the failure with a stack trace, and an
// unhandled exception aborts the process); an address it cannot listen on, once the host starts, with one line and exit
// code 3.
if (CommandLineSwitches.AsksForHelp(args))
{
    await Console.Out.WriteAsync(CommandLineSwitches.Usage("dotnet run --project src/RoleMining.Emulator --"));
    return 0;
}

WebApplication app;
try
{
    app = EmulatorApplication.Build(args);
    _ = app.Services.GetRequiredService<IOptions<EmulatorOptions>>().Value;
}
catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or OptionsValidationException)
{
    await Console.Error.WriteLineAsync(exception switch
    {
        OptionsValidationException validation => "Configuration error: " + string.Join(" ", validation.Failures),
        ArgumentException argument when argument.ParamName is { } name => argument.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal),
        _ => CommandLineSwitches.DescribeInvalidValue(exception) ?? exception.Message,
    });
    return 2;
}

await using (app)
{
    try
    {
        await app.RunAsync();
    }
    catch (IOException exception)
    {
        // Kestrel's way of saying it cannot listen (an address in use): one line and exit code 3, as rolemining does.
        await Console.Error.WriteLineAsync($"Cannot listen: {exception.Message}");
        return 3;
    }
}

return 0;
