using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using RoleMining.Functions.Hosting;
using RoleMining.Functions.Telemetry;

var builder = FunctionsApplication.CreateBuilder(args);

// ASP.NET Core integration: HTTP functions take HttpRequest and return IActionResult, and the API handlers run unchanged.
builder.ConfigureFunctionsWebApplication();

// Traces, metrics and logs of the worker through OpenTelemetry to Application Insights (identity-authenticated), and
// worker logs quiet by default: host.json's levels apply to the host only.
builder.Services.AddRoleMiningTelemetry(builder.Configuration);
builder.Logging.AddRoleMiningLogFilters(builder.Configuration);

builder.Services.AddRoleMiningFunctions(builder.Configuration);

builder.Build().Run();
