using RoleMining.Exports;
using RoleMining.Functions.Storage;

namespace RoleMining.Functions.Tests.Storage;

public sealed class QueueMessagesTests
{
    [Fact]
    public void A_sent_body_reads_back_as_the_same_message()
    {
        var message = ExportMessage.Create(ExportStep.Poll, ExportJobIds.NewJobId(), 3, DateTimeOffset.UnixEpoch);

        var ok = QueueMessages.TryRead(QueueMessages.Body(message), out var read, out var error);

        Assert.True(ok, error);
        Assert.Equal(message, read);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not json")]
    [InlineData("{\"step\":\"Poll\"}")]
    [InlineData("{\"step\":\"Poll\",\"jobId\":\"../x\",\"sequence\":1,\"messageId\":\"m\"}")]
    [InlineData("{\"step\":\"Nope\",\"jobId\":\"abc\",\"sequence\":1,\"messageId\":\"m\"}")]
    public void Bodies_that_are_not_export_messages_are_refused_with_a_reason(string body)
    {
        var ok = QueueMessages.TryRead(body, out var message, out var error);

        Assert.False(ok);
        Assert.Null(message);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Delays_stay_within_what_queue_storage_accepts()
    {
        Assert.Equal(TimeSpan.Zero, QueueMessages.VisibilityDelay(TimeSpan.FromSeconds(-5)));
        Assert.Equal(TimeSpan.FromSeconds(42), QueueMessages.VisibilityDelay(TimeSpan.FromSeconds(42)));
        Assert.Equal(TimeSpan.FromDays(7), QueueMessages.VisibilityDelay(TimeSpan.FromDays(30)));
    }

    [Fact]
    public void Messages_never_expire()
    {
        // Azure Queue Storage reads a time-to-live of -1 second as "never"; the default (7 days) could drop a job's step.
        Assert.Equal(-1, (int)QueueMessages.NeverExpires.TotalSeconds);
    }
}
