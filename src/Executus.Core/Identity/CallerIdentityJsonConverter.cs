using System.Text.Json;
using System.Text.Json.Serialization;

namespace Executus.Identity;

/// <summary>
/// Writes a <see cref="CallerIdentity"/> as <c>{"id","displayName","tenantKey","roles":[],"scopes":[],"attributes":{}}</c>
/// and reads it back, so a caller stored in a checkpoint or an audit record round-trips.
/// </summary>
/// <remarks>Why a converter: the identity's sets are read-only interfaces, which System.Text.Json cannot populate.</remarks>
internal sealed class CallerIdentityJsonConverter : JsonConverter<CallerIdentity>
{
    public override CallerIdentity Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A caller identity must be a JSON object.");
        }

        string? id = null, displayName = null, tenantKey = null;
        List<string> roles = [], scopes = [];
        Dictionary<string, string> attributes = new(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string name = reader.GetString() ?? string.Empty;
            reader.Read();
            switch (name.ToUpperInvariant())
            {
                case "ID":
                    id = reader.GetString();
                    break;
                case "DISPLAYNAME":
                    displayName = reader.GetString();
                    break;
                case "TENANTKEY":
                    tenantKey = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
                    break;
                case "ROLES":
                    ReadStrings(ref reader, roles);
                    break;
                case "SCOPES":
                    ReadStrings(ref reader, scopes);
                    break;
                case "ATTRIBUTES":
                    ReadAttributes(ref reader, attributes);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (string.IsNullOrWhiteSpace(id))
        {
            throw new JsonException("A caller identity needs an 'id'.");
        }

        return id == CallerIdentity.AnonymousId && tenantKey is null && roles.Count == 0 && scopes.Count == 0 && attributes.Count == 0
            ? CallerIdentity.Anonymous
            : new CallerIdentity(id, displayName, tenantKey, roles, scopes, attributes);
    }

    public override void Write(Utf8JsonWriter writer, CallerIdentity value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("id", value.Id);
        writer.WriteString("displayName", value.DisplayName);
        if (value.TenantKey is not null)
        {
            writer.WriteString("tenantKey", value.TenantKey);
        }

        writer.WriteStartArray("roles");
        foreach (string role in value.Roles.Order(StringComparer.Ordinal))
        {
            writer.WriteStringValue(role);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("scopes");
        foreach (string scope in value.Scopes.Order(StringComparer.Ordinal))
        {
            writer.WriteStringValue(scope);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("attributes");
        foreach (KeyValuePair<string, string> pair in value.Attributes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteString(pair.Key, pair.Value);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void ReadStrings(ref Utf8JsonReader reader, List<string> into)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("Caller roles and scopes must be JSON arrays of strings.");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            into.Add(reader.GetString() ?? throw new JsonException("A caller role or scope is null."));
        }
    }

    private static void ReadAttributes(ref Utf8JsonReader reader, Dictionary<string, string> into)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Caller attributes must be a JSON object of strings.");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string key = reader.GetString() ?? string.Empty;
            reader.Read();
            into[key] = reader.GetString() ?? string.Empty;
        }
    }
}
