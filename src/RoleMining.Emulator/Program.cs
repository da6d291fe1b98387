var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/", () => "RoleMining emulator");
await app.RunAsync();
