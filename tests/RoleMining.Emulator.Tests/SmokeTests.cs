namespace RoleMining.Emulator.Tests;

public class SmokeTests
{
    [Fact]
    public void Placeholder_is_replaced_by_real_tests() => Assert.True(typeof(Program).Assembly.GetName().Name == "RoleMining.Emulator");
}
