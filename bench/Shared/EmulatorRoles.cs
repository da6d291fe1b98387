using RoleMining.SailPoint;

namespace RoleMining.Bench;

/// <summary>Finds the emulator's extra potential roles (made with a given identity count) through the client.</summary>
internal static class EmulatorRoles
{
    public static async Task<(string SessionId, string PotentialRoleId)> FindAsync(IRoleMiningClient client, int identityCount)
    {
        ArgumentNullException.ThrowIfNull(client);
        await foreach (var session in client.GetSessionsAsync())
        {
            await foreach (var summary in client.GetPotentialRoleSummariesAsync(session.Id!))
            {
                if (summary.IdentityCount == identityCount)
                {
                    return (session.Id!, summary.Id!);
                }
            }
        }

        throw new InvalidOperationException($"No potential role with {identityCount} identities.");
    }
}
