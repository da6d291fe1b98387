using Azure.Identity;
using Microsoft.Extensions.Configuration;
using RoleMining.Functions.Configuration;

namespace RoleMining.Functions.Tests.Configuration;

public sealed class StorageConnectionTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(value => KeyValuePair.Create(value.Key, (string?)value.Value)))
            .Build();

    [Fact]
    public void A_connection_string_wins_and_is_never_shown()
    {
        var connection = StorageConnection.FromConfiguration(Configuration(
            ("AzureWebJobsStorage", "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0"),
            ("AzureWebJobsStorage:blobServiceUri", "https://a.blob.core.windows.net/")));

        Assert.False(connection.IsIdentityBased);
        Assert.Null(connection.BlobServiceUri);
        Assert.DoesNotContain("c2VjcmV0", connection.ToString(), StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(connection.CreateCredential);
    }

    [Fact]
    public void Identity_based_settings_give_both_endpoints_and_a_user_assigned_managed_identity()
    {
        var connection = StorageConnection.FromConfiguration(Configuration(
            ("AzureWebJobsStorage:credential", "managedidentity"),
            ("AzureWebJobsStorage:clientId", "11111111-2222-3333-4444-555555555555"),
            ("AzureWebJobsStorage:blobServiceUri", "https://acct.blob.core.windows.net/"),
            ("AzureWebJobsStorage:queueServiceUri", "https://acct.queue.core.windows.net/")));

        Assert.True(connection.IsIdentityBased);
        Assert.True(connection.UsesManagedIdentity);
        Assert.Equal("11111111-2222-3333-4444-555555555555", connection.ManagedIdentityClientId);
        Assert.Equal(new Uri("https://acct.blob.core.windows.net/"), connection.BlobServiceUri);
        Assert.Equal(new Uri("https://acct.queue.core.windows.net/"), connection.QueueServiceUri);
        Assert.IsType<ManagedIdentityCredential>(connection.CreateCredential());
    }

    [Fact]
    public void Account_name_alone_gives_the_public_cloud_endpoints_like_the_host()
    {
        var connection = StorageConnection.FromConfiguration(Configuration(("AzureWebJobsStorage:accountName", "acct")));

        Assert.Equal(new Uri("https://acct.blob.core.windows.net/"), connection.BlobServiceUri);
        Assert.Equal(new Uri("https://acct.queue.core.windows.net/"), connection.QueueServiceUri);
        Assert.False(connection.UsesManagedIdentity);
    }

    [Fact]
    public void Without_the_managed_identity_credential_the_developer_sign_in_is_used()
    {
        var connection = StorageConnection.FromConfiguration(Configuration(
            ("AzureWebJobsStorage:blobServiceUri", "https://acct.blob.core.windows.net/"),
            ("AzureWebJobsStorage:queueServiceUri", "https://acct.queue.core.windows.net/")));

        Assert.IsType<DefaultAzureCredential>(connection.CreateCredential());
    }

    [Fact]
    public void Double_underscore_environment_variables_are_read_like_app_settings()
    {
        const string prefix = "ROLEMINING_STORAGE_TEST_";
        Environment.SetEnvironmentVariable(prefix + "AzureWebJobsStorage__blobServiceUri", "https://env.blob.core.windows.net/");
        Environment.SetEnvironmentVariable(prefix + "AzureWebJobsStorage__queueServiceUri", "https://env.queue.core.windows.net/");
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();

            var connection = StorageConnection.FromConfiguration(configuration);

            Assert.Equal(new Uri("https://env.queue.core.windows.net/"), connection.QueueServiceUri);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "AzureWebJobsStorage__blobServiceUri", null);
            Environment.SetEnvironmentVariable(prefix + "AzureWebJobsStorage__queueServiceUri", null);
        }
    }

    [Theory]
    [InlineData("AzureWebJobsStorage:credential", "connectionstring", "AzureWebJobsStorage__credential")]
    [InlineData("AzureWebJobsStorage:blobServiceUri", "http://acct.blob.core.windows.net/", "AzureWebJobsStorage__blobServiceUri")]
    [InlineData("AzureWebJobsStorage:blobServiceUri", "not a uri", "AzureWebJobsStorage__blobServiceUri")]
    public void Invalid_settings_are_reported_by_name(string key, string value, string expectedName)
    {
        var exception = Assert.Throws<InvalidOperationException>(() => StorageConnection.FromConfiguration(Configuration(
            (key, value), ("AzureWebJobsStorage:queueServiceUri", "https://acct.queue.core.windows.net/"))));

        Assert.Contains(expectedName, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_settings_say_how_to_configure_both_ways()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => StorageConnection.FromConfiguration(Configuration()));

        Assert.Contains("UseDevelopmentStorage=true", exception.Message, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsStorage__blobServiceUri", exception.Message, StringComparison.Ordinal);
    }
}
