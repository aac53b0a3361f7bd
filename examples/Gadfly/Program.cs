// Gadfly: a CI pull-request reviewer on Executus.Core — models × lenses over a unified diff, merged findings,
// Markdown on stdout, optional JSON (GADFLY_JSON) and SARIF 2.1.0 (GADFLY_SARIF). Offline (scripted models) by default.
//   git diff origin/main... | dotnet run --project examples/Gadfly
//   dotnet run --project examples/Gadfly -- examples/Gadfly/sample.diff
// Real models: GADFLY_MODELS=smart,openai:gpt-4o-mini with Executus__Models__Tiers__smart=... and
// Executus__Providers__openai__ApiKey=... (see README.md next to this file).
return await Gadfly.GadflyApp.RunAsync(args, Console.In, Console.Out, Console.Error);
