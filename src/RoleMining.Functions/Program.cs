using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RoleMining.Functions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// ASP.NET Core integration: HTTP functions take HttpRequest and return IActionResult, and the API handlers run unchanged.
builder.ConfigureFunctionsWebApplication();

// The worker sends its own telemetry (identity-authenticated through APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
builder.Services
    .AddApplicationInsightsTelemetryWorkerService()
    .ConfigureFunctionsApplicationInsights();

// Application Insights' default filter keeps only warnings from the worker; the structured Information logs of the
// workflow (job, step, outcome) are wanted, and host.json / Logging settings decide the levels instead.
builder.Logging.Services.Configure<LoggerFilterOptions>(options =>
{
    var defaultRule = options.Rules.FirstOrDefault(rule =>
        rule.ProviderName == "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider");
    if (defaultRule is not null)
    {
        options.Rules.Remove(defaultRule);
    }
});

builder.Services.AddRoleMiningFunctions(builder.Configuration);

builder.Build().Run();
