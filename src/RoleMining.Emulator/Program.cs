await using var app = RoleMining.Emulator.EmulatorApplication.Build(args);
await app.RunAsync();
