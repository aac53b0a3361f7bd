using Microsoft.Extensions.AI;

namespace Gadfly;

/// <summary>One row of the review grid: a model and the name it is reported under.</summary>
/// <param name="Name">The name (the tier, the <c>provider:model</c> reference, or the scripted model's id).</param>
/// <param name="Client">The client.</param>
public sealed record ReviewModel(string Name, IChatClient Client);
