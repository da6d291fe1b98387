using System.Globalization;
using System.IO.Compression;
using System.Text;
using CsvHelper;
using RoleMining.Serialization;

namespace RoleMining.Emulator.Exports;

/// <summary>
/// Streams a potential role's export zip: <c>identities.csv</c> (<c>id,name</c> then one column per identity
/// attribute) and <c>entitlements.csv</c> (the entitlement-popularity fields), generated row by row from the same
/// data the JSON endpoints return. Only asynchronous writes reach the output (Kestrel forbids synchronous IO), memory
/// stays flat whatever the role's size, and the bytes are the same on every download (fixed entry timestamps).
/// </summary>
internal static class ExportZipWriter
{
    /// <summary>The entitlement columns: JSON property paths of <c>RoleMiningEntitlement</c>.</summary>
    public static readonly string[] EntitlementColumns =
    [
        "entitlementRef.id", "entitlementRef.name", "entitlementRef.description", "entitlementRef.attribute", "name",
        "applicationName", "identityCount", "popularity", "popularityInOrg", "sourceId", "activitySourceState", "sourceUsagePercent",
    ];

    public const string IdentitiesEntryName = "identities.csv";
    public const string EntitlementsEntryName = "entitlements.csv";

    private static readonly UTF8Encoding Utf8WithoutBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The entitlements an export holds: popularity at least <paramref name="minEntitlementPopularity"/>,
    /// common access only when <paramref name="includeCommonAccess"/>; ordered like the JSON endpoint's default sort.</summary>
    public static IEnumerable<TenantEntitlement> SelectEntitlements(EmulatorTenant tenant, TenantPotentialRole role, int minEntitlementPopularity, bool includeCommonAccess) =>
        tenant.GetEntitlements(role)
            .Where(e => e.Popularity >= minEntitlementPopularity && (includeCommonAccess || !e.IsCommonAccess))
            .OrderByDescending(e => e.Popularity)
            .ThenBy(e => e.Index);

    public static async Task WriteAsync(
        Stream output,
        EmulatorTenant tenant,
        TenantPotentialRole role,
        int minEntitlementPopularity,
        bool includeCommonAccess,
        CompressionLevel compression,
        CancellationToken cancellationToken)
    {
        // Zip stores local time without a zone; a fixed, role-derived stamp keeps repeated downloads byte-identical.
        var timestamp = new DateTimeOffset(DateTime.SpecifyKind(role.ModifiedDate, DateTimeKind.Unspecified), TimeSpan.Zero);
        var drain = new AsyncDrainStream(output);
        await using (var archive = await ZipArchive.CreateAsync(drain, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken))
        {
            await WriteEntriesAsync(archive, drain, tenant, role, minEntitlementPopularity, includeCommonAccess, compression, timestamp, cancellationToken);
        }

        await drain.FlushAsync(cancellationToken);
    }

    private static async Task WriteEntriesAsync(
        ZipArchive archive,
        AsyncDrainStream drain,
        EmulatorTenant tenant,
        TenantPotentialRole role,
        int minEntitlementPopularity,
        bool includeCommonAccess,
        CompressionLevel compression,
        DateTimeOffset timestamp,
        CancellationToken cancellationToken)
    {

        var identities = archive.CreateEntry(IdentitiesEntryName, compression);
        identities.LastWriteTime = timestamp;
        await using (var csvEntry = await CsvEntry.OpenAsync(identities, cancellationToken))
        {
            var csv = csvEntry.Csv;
            csv.WriteField("id");
            csv.WriteField("name");
            foreach (var attribute in tenant.IdentityAttributeNames)
            {
                csv.WriteField(attribute);
            }

            await csv.EndRecordAsync(cancellationToken);
            for (var index = 0; index < role.IdentityCount; index++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var identity = tenant.GetIdentity(role, index);
                csv.WriteField(identity.Id);
                csv.WriteField(identity.Name);
                foreach (var value in identity.AttributeValues)
                {
                    csv.WriteField(value);
                }

                await csv.EndRecordAsync(cancellationToken);
            }

        }

        await drain.DrainAsync(cancellationToken);
        var entitlements = archive.CreateEntry(EntitlementsEntryName, compression);
        entitlements.LastWriteTime = timestamp;
        await using (var csvEntry = await CsvEntry.OpenAsync(entitlements, cancellationToken))
        {
            var csv = csvEntry.Csv;
            foreach (var column in EntitlementColumns)
            {
                csv.WriteField(column);
            }

            await csv.EndRecordAsync(cancellationToken);
            foreach (var entitlement in SelectEntitlements(tenant, role, minEntitlementPopularity, includeCommonAccess))
            {
                csv.WriteField(entitlement.Id);
                csv.WriteField(entitlement.RefName);
                csv.WriteField(entitlement.Description ?? "");
                csv.WriteField(entitlement.Attribute);
                csv.WriteField(entitlement.Name);
                csv.WriteField(entitlement.ApplicationName);
                csv.WriteField(entitlement.IdentityCount.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(entitlement.Popularity.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(entitlement.PopularityInOrg.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(entitlement.SourceId);
                csv.WriteField(entitlement.ActivitySourceState ?? "");
                csv.WriteField(entitlement.SourceUsagePercent?.ToString(CultureInfo.InvariantCulture) ?? "");
                await csv.EndRecordAsync(cancellationToken);
            }

        }
    }

    /// <summary>
    /// A CSV writer on a zip entry. StreamWriter.DisposeAsync closes its stream synchronously, and a DeflateStream's
    /// synchronous close writes to the response (which Kestrel refuses), so the writers leave the entry stream open
    /// and it is disposed asynchronously here.
    /// </summary>
    private sealed class CsvEntry : IAsyncDisposable
    {
        private readonly Stream _entryStream;
        private readonly StreamWriter _writer;

        private CsvEntry(Stream entryStream)
        {
            _entryStream = entryStream;
            _writer = new StreamWriter(entryStream, Utf8WithoutBom, bufferSize: 64 * 1024, leaveOpen: true);
            Csv = CsvWriter.Create(_writer, CsvWriterDefaults.Options, leaveOpen: true);
        }

        public CsvWriter Csv { get; }

        public static async Task<CsvEntry> OpenAsync(ZipArchiveEntry entry, CancellationToken cancellationToken) =>
            new(await entry.OpenAsync(cancellationToken));

        public async ValueTask DisposeAsync()
        {
            await Csv.FlushAsync();
            await Csv.DisposeAsync();
            await _writer.FlushAsync();
            await _writer.DisposeAsync();
            await _entryStream.DisposeAsync();
        }
    }
}
