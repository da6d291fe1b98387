using Microsoft.Extensions.Options;
using RoleMining.Emulator;

// Bad arguments and settings end the program with one line and exit code 2, before the host starts (a host that fails to
// start logs the failure with a stack trace, and an unhandled exception aborts the process).
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
    await app.RunAsync();
}

return 0;
