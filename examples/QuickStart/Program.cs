// QuickStart: an Executus agent with three real tools, run by the Executor, offline by default.
//   dotnet run --project examples/QuickStart
// With a real model (any OpenAI-compatible endpoint), name a default tier and the provider in the environment:
//   Executus__Models__Tiers__default=openai:gpt-4o-mini  Executus__Providers__openai__ApiKey=sk-...
//   (or Executus__Providers__openai__BaseUrl=http://localhost:11434/v1 for a local Ollama/vLLM/llama.cpp server)
// With an MCP filesystem server reading the notes (its read tool confined to notes/ by Executus's sandbox validator):
//   QuickStart__McpFilesystem=npx   (or the path of @modelcontextprotocol/server-filesystem's dist/index.js)
// The phased agent (gather → judge → report):  dotnet run --project examples/QuickStart -- --phased
return await QuickStart.QuickStartApp.RunAsync(Console.Out, phased: args.Contains("--phased") ? true : null);
