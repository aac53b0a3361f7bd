namespace BotHost;

/// <summary>A command or chat request the bot refuses, with a message for the caller.</summary>
internal sealed class BotCommandException : Exception
{
    public BotCommandException(string message)
        : base(message)
    {
    }

    public BotCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BotCommandException()
    {
    }
}
