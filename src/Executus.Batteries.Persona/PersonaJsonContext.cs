using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Executus.Personas;

/// <summary>Source-generated JSON metadata for the persona loader (trim- and AOT-safe).</summary>
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class PersonaJsonContext : JsonSerializerContext;
