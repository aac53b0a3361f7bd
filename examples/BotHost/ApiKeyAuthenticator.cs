using System.Security.Cryptography;
using System.Text;
using Executus.Configuration;
using Executus.Identity;

namespace BotHost;

/// <summary>
/// Who is calling the HTTP API. Callers are listed in <c>BotHost:Callers</c> (ids, comma-separated); each has
/// <c>BotHost:Callers:{id}:KeySha256</c> (the SHA-256 of its API key, hex — <c>BotHost hash-key KEY</c> prints it: the
/// key itself is never stored), and optionally <c>:Tenant</c>, <c>:Roles</c>, <c>:Scopes</c>, <c>:DisplayName</c>.
/// </summary>
/// <remarks>
/// The presented key is hashed and compared with every stored hash in constant time (no early exit), so neither the
/// comparison nor the position of a match leaks through timing.
/// </remarks>
internal sealed class ApiKeyAuthenticator
{
    private const string Prefix = BotOptions.Prefix + "Callers";
    private readonly (byte[] Hash, CallerIdentity Caller)[] _keys;

    public ApiKeyAuthenticator(IConfigSource config)
    {
        List<(byte[], CallerIdentity)> keys = [];
        foreach (string id in config.GetList(Prefix))
        {
            string prefix = $"{Prefix}:{id}:";
            string hex = config.GetString(prefix + "KeySha256") ?? throw new ConfigException(prefix + "KeySha256", null, $"the SHA-256 (hex) of caller '{id}''s API key (print it with: BotHost hash-key <key>)");
            byte[] hash;
            try
            {
                hash = Convert.FromHexString(hex.Trim());
            }
            catch (FormatException ex)
            {
                throw new ConfigException(prefix + "KeySha256", "(hidden)", "64 hexadecimal characters (a SHA-256)", ex);
            }

            if (hash.Length != SHA256.HashSizeInBytes)
            {
                throw new ConfigException(prefix + "KeySha256", "(hidden)", "64 hexadecimal characters (a SHA-256)");
            }

            keys.Add((hash, new CallerIdentity(
                id,
                config.GetString(prefix + "DisplayName"),
                config.GetString(prefix + "Tenant"),
                config.GetList(prefix + "Roles"),
                config.GetList(prefix + "Scopes"))));
        }

        _keys = [.. keys];
        Tenants = [.. _keys.Select(k => k.Caller.TenantKey).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    public int Count => _keys.Length;

    /// <summary>Gets the tenants of the configured callers (where the console looks for tenant-scoped skills).</summary>
    public IReadOnlyList<string> Tenants { get; }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public CallerIdentity? Authenticate(string? presented)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 512)
        {
            return null;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        CallerIdentity? found = null;
        foreach ((byte[] stored, CallerIdentity caller) in _keys)
        {
            // Why: no break — every stored key is compared whatever matched.
            if (CryptographicOperations.FixedTimeEquals(stored, hash))
            {
                found = caller;
            }
        }

        return found;
    }
}
