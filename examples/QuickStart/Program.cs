// QuickStart: an Executus agent with three real tools, run by the Executor, offline by default.
//   dotnet run --project examples/QuickStart
// With a real model (any OpenAI-compatible endpoint), name a default tier and the provider in the environment:
//   Executus__Models__Tiers__default=openai:gpt-4o-mini  Executus__Providers__openai__ApiKey=sk-...
//   (or Executus__Providers__openai__BaseUrl=http://localhost:11434/v1 for a local Ollama/vLLM/llama.cpp server)
// The phased agent (gather → judge → report):  dotnet run --project examples/QuickStart -- --phased
return await QuickStart.QuickStartApp.RunAsync(Console.Out, phased: args.Contains("--phased") ? true : null);
