using System.IO.Compression;
using System.Text;

namespace RoleMining.Exports.Tests.Support;

/// <summary>Builds zips for the verification tests, including deliberately bad ones.</summary>
internal static class ZipFactory
{
    public static readonly byte[] Identities = Encoding.UTF8.GetBytes("id,name,department\r\n1,Ann,Sales\r\n2,Bob,\"Research, Lab\"\r\n3,Cy,\"Multi\r\nline\"\r\n");
    public static readonly byte[] Entitlements = Encoding.UTF8.GetBytes("entitlementRef.id,name,popularity\r\ne1,Read,100\r\ne2,Write,50\r\n");

    public static byte[] Create(params (string Name, byte[] Content)[] entries) =>
        Create(CompressionLevel.Optimal, entries);

    public static byte[] Create(CompressionLevel level, params (string Name, byte[] Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var entry = archive.CreateEntry(name, level);
                using var stream = entry.Open();
                stream.Write(content);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>A zip like the ones SailPoint and the emulator produce.</summary>
    public static byte[] Valid(CompressionLevel level = CompressionLevel.Optimal) =>
        Create(level, ("identities.csv", Identities), ("entitlements.csv", Entitlements));

    /// <summary>Finds each occurrence of a 4-byte little-endian signature.</summary>
    public static IEnumerable<int> Signatures(byte[] zip, uint signature)
    {
        for (var index = 0; index <= zip.Length - 4; index++)
        {
            if (BitConverter.ToUInt32(zip, index) == signature)
            {
                yield return index;
            }
        }
    }

    public const uint LocalHeader = 0x04034b50;
    public const uint CentralHeader = 0x02014b50;
}
