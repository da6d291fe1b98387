using System.Text.Json;
using RoleMining.Emulator.Api.Contracts;
using RoleMining.Emulator.Exports;
using static RoleMining.Emulator.Api.Endpoints.EndpointHelpers;

namespace RoleMining.Emulator.Api.Endpoints;

/// <summary>The synchronous export and the export-async lifecycle (create, status, download).</summary>
internal static class ExportEndpoints
{
    private const int MaxRequestBodyBytes = 64 * 1024;

    /// <summary><c>GET .../export</c>: the zip directly, with the request defaults (popularity 0, common access included).</summary>
    public static RequestDelegate Export { get; } = Handle(async (context, services) =>
    {
        if (await FindPotentialRoleAsync(context, services) is { } role)
        {
            await WriteZipAsync(context, services, role, minEntitlementPopularity: 0, includeCommonAccess: true);
        }
    });

    /// <summary><c>POST .../export-async</c>: 202 with a QUEUED job that echoes the request.</summary>
    public static RequestDelegate Create { get; } = Handle(async (context, services) =>
    {
        if (await FindPotentialRoleAsync(context, services) is not { } role)
        {
            return;
        }

        var request = await ReadRequestAsync(context);
        if (request is null)
        {
            return;
        }

        var minEntitlementPopularity = request.MinEntitlementPopularity ?? 0;
        if (minEntitlementPopularity is < 0 or > 100)
        {
            await ApiErrors.BadRequestAsync(context, $"Invalid value '{minEntitlementPopularity}' for 'minEntitlementPopularity': must be between 0 and 100.");
            return;
        }

        var includeCommonAccess = request.IncludeCommonAccess ?? true;
        var operation = Operation(context);
        var endsInError = services.Faults.Chance(services.Options.Faults.For(operation.OperationId).ExportErrorShare);
        var job = services.Exports.Create(role.Session.Id, role.Id, minEntitlementPopularity, includeCommonAccess, endsInError);
        services.Statistics.RecordExportCreation(role.Session.Id, role.Id);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        await context.Response.WriteAsJsonAsync(
            new ExportResponseDto(job.ExportId, ExportStates.Queued, minEntitlementPopularity, includeCommonAccess),
            EmulatorJson.Context.ExportResponseDto,
            JsonContentType,
            context.RequestAborted);
    });

    /// <summary><c>GET .../export-async/{exportId}</c>.</summary>
    public static RequestDelegate Status { get; } = Handle(async (context, services) =>
    {
        if (await FindJobAsync(context, services) is { } job)
        {
            await context.Response.WriteAsJsonAsync(
                new ExportResponseDto(job.ExportId, services.Exports.StateOf(job), job.MinEntitlementPopularity, job.IncludeCommonAccess),
                EmulatorJson.Context.ExportResponseDto,
                JsonContentType,
                context.RequestAborted);
        }
    });

    /// <summary><c>GET .../export-async/{exportId}/download</c>: the zip once the job is <c>SUCCESS</c>; before that (or
    /// after <c>ERROR</c>) a 400 <c>ErrorResponseDto</c> naming the job's state (the spec documents 400 for this
    /// operation, not 404 or 409).</summary>
    public static RequestDelegate Download { get; } = Handle(async (context, services) =>
    {
        if (await FindJobAsync(context, services) is not { } job)
        {
            return;
        }

        var state = services.Exports.StateOf(job);
        if (state != ExportStates.Success)
        {
            var reason = state == ExportStates.Error ? "the export failed" : "the export is not complete yet";
            await ApiErrors.BadRequestAsync(context, $"Export '{job.ExportId}' cannot be downloaded: {reason} (status {state}).");
            return;
        }

        var role = services.Tenant.FindPotentialRole(job.PotentialRoleId)!;
        await WriteZipAsync(context, services, role, job.MinEntitlementPopularity, job.IncludeCommonAccess);
    });

    private static async Task<ExportJob?> FindJobAsync(HttpContext context, EmulatorServices services)
    {
        // The spec types these three path parameters as UUIDs (and lists 400, not 404, for these operations), so a
        // malformed one is a bad request, as the service's typed parameters make it; an unknown but well-formed one is 404.
        foreach (var name in (string[])["sessionId", "potentialRoleId", "exportId"])
        {
            var value = RouteValue(context, name);
            if (!Guid.TryParseExact(value, "D", out _) && !Guid.TryParseExact(value, "N", out _))
            {
                await ApiErrors.BadRequestAsync(context, $"'{name}' must be a UUID, not '{value}'.");
                return null;
            }
        }

        if (await FindPotentialRoleAsync(context, services) is not { } role)
        {
            return null;
        }

        var exportId = RouteValue(context, "exportId");
        var job = services.Exports.Find(role.Session.Id, role.Id, exportId);
        if (job is null)
        {
            await ApiErrors.NotFoundAsync(context, $"Export '{exportId}' was not found for potential role '{role.Id}'.");
        }

        return job;
    }

    /// <summary>The optional request body: absent or empty means the defaults; malformed JSON is a 400.</summary>
    private static async Task<ExportRequestDto?> ReadRequestAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxRequestBodyBytes)
            {
                await ApiErrors.BadRequestAsync(context, "The request body is too large.");
                return null;
            }

            await buffer.WriteAsync(chunk.AsMemory(0, read), context.RequestAborted);
        }

        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return new ExportRequestDto(null, null);
        }

        try
        {
            return JsonSerializer.Deserialize(body.Span, EmulatorJson.Context.ExportRequestDto) ?? new ExportRequestDto(null, null);
        }
        catch (JsonException exception)
        {
            await ApiErrors.BadRequestAsync(context, $"The request body is not a valid RoleMiningPotentialRoleExportRequest: {exception.Message}");
            return null;
        }
    }

    private static Task WriteZipAsync(HttpContext context, EmulatorServices services, TenantPotentialRole role, int minEntitlementPopularity, bool includeCommonAccess)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/zip";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"potential-role-{role.Id}.zip\"";
        return ExportZipWriter.WriteAsync(
            context.Response.Body, services.Tenant, role, minEntitlementPopularity, includeCommonAccess, services.Options.Exports.Compression, context.RequestAborted);
    }
}
