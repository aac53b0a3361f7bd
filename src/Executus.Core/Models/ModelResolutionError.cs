namespace Executus.Models;

/// <summary>Why a tier or model reference could not be resolved to a client.</summary>
public enum ModelResolutionError
{
    /// <summary>No <c>Executus:Models:Tiers:{tier}</c> key is configured.</summary>
    UnknownTier,

    /// <summary>The tier is configured but lists no candidate.</summary>
    EmptyTier,

    /// <summary>A candidate is not written <c>provider:model</c>.</summary>
    MalformedReference,

    /// <summary>A candidate names a provider that is neither registered nor configured.</summary>
    UnknownProvider,

    /// <summary>The provider failed to create a client for the model.</summary>
    ProviderFailed,
}
