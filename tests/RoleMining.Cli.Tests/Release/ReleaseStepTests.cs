using RoleMining.Testing;
using RoleMining.Testing.Processes;

namespace RoleMining.Cli.Tests.Release;

/// <summary>
/// The release job's "Create the release" step, run by bash as the runner runs it, with a <c>gh</c> on PATH that records
/// its calls and answers <c>gh release view</c> as told: what the step asks of GitHub, which these machines cannot reach.
/// </summary>
public sealed class ReleaseStepTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    [Fact]
    public async Task A_new_tag_creates_its_release_with_every_file_as_a_pre_release_when_the_version_has_a_suffix()
    {
        var calls = await RunCreateStepAsync(Release.None, tag: "v2.0.0-rc.1");

        Assert.Equal(2, calls.Count);
        Assert.StartsWith("release view v2.0.0-rc.1 ", calls[0], StringComparison.Ordinal);
        Assert.Equal("release create v2.0.0-rc.1 dist/SHA256SUMS dist/rolemining-2.0.0-rc.1-linux-x64.tar.gz --repo owner/repo --title v2.0.0-rc.1 --generate-notes --verify-tag --prerelease", calls[1]);
    }

    [Fact]
    public async Task A_plain_version_is_not_marked_a_pre_release()
    {
        var calls = await RunCreateStepAsync(Release.None, tag: "v2.0.0");

        Assert.EndsWith("--generate-notes --verify-tag", calls[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rerun_that_finds_the_draft_of_a_run_cut_off_midway_uploads_the_files_again_and_publishes_it()
    {
        var calls = await RunCreateStepAsync(Release.Draft, tag: "v2.0.0-rc.1");

        Assert.Equal(3, calls.Count);
        Assert.Equal("release upload v2.0.0-rc.1 dist/SHA256SUMS dist/rolemining-2.0.0-rc.1-linux-x64.tar.gz --repo owner/repo --clobber", calls[1]);
        Assert.Equal("release edit v2.0.0-rc.1 --repo owner/repo --draft=false --prerelease", calls[2]);
    }

    [Fact]
    public async Task A_rerun_whose_release_is_published_leaves_it_as_it_is()
    {
        var calls = await RunCreateStepAsync(Release.Published, tag: "v2.0.0");

        Assert.Single(calls);
        Assert.StartsWith("release view v2.0.0 ", calls[0], StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();

    public enum Release
    {
        None,
        Draft,
        Published,
    }

    private async Task<IReadOnlyList<string>> RunCreateStepAsync(Release release, string tag)
    {
        var script = (string?)ReleaseWorkflow.Steps(ReleaseWorkflow.Job("release"))["Create the release"]["run"]
            ?? throw new Xunit.Sdk.XunitException("The release job has no 'Create the release' step.");
        Directory.CreateDirectory(_directory.Combine("dist"));
        File.WriteAllText(_directory.Combine("dist", "SHA256SUMS"), "sums");
        File.WriteAllText(_directory.Combine("dist", $"rolemining-{tag[1..]}-linux-x64.tar.gz"), "archive");
        var bin = Directory.CreateDirectory(_directory.Combine("bin")).FullName;
        var log = _directory.Combine("gh-calls");
        var gh = Path.Combine(bin, "gh");
        // `gh release view --json isDraft --jq .isDraft` prints true or false, or fails when there is no release.
        var view = release switch
        {
            Release.None => "echo 'release not found' >&2; exit 1",
            Release.Draft => "echo true; exit 0",
            _ => "echo false; exit 0",
        };
        File.WriteAllText(gh, $"#!/bin/bash\necho \"$*\" >> '{log}'\nif [[ \"$1 $2\" == \"release view\" ]]; then {view}; fi\nexit 0\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(gh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var result = await ProcessRun.RunAsync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], _directory.Path, TimeSpan.FromMinutes(1), new Dictionary<string, string?>
        {
            ["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
            ["GITHUB_REF_NAME"] = tag,
            ["GITHUB_REPOSITORY"] = "owner/repo",
            ["GH_TOKEN"] = "not-a-token",
        });

        Assert.True(result.ExitCode == 0, result.Output);
        return File.ReadAllLines(log);
    }
}
