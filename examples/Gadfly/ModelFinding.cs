namespace Gadfly;

/// <summary>A finding together with the model that reported it, before merging.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Finding">The finding.</param>
public sealed record ModelFinding(string Model, Finding Finding);
