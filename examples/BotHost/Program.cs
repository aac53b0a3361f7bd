// BotHost: the heavy Executus host — a chat bot with every battery, a console REPL and an HTTP API.
//   dotnet run --project examples/BotHost                       (console, offline on a scripted model)
//   BotHost__Channel=both dotnet run --project examples/BotHost (console + HTTP API on http://127.0.0.1:5080)
//   dotnet run --project examples/BotHost -- hash-key KEY       (the SHA-256 to put in BotHost:Callers:{id}:KeySha256)
// A real model: Executus__Models__Tiers__default=openai:gpt-4o-mini Executus__Providers__openai__ApiKey=sk-...
return await BotHost.BotHostApp.RunAsync(args);
