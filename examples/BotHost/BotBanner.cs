namespace BotHost;

/// <summary>The line saying which model the bot runs on.</summary>
internal sealed record BotBanner(string Text);
