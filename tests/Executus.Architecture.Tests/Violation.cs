namespace Executus.Architecture.Tests;

/// <summary>One broken dependency rule: which rule, who broke it, and the offending reference.</summary>
public sealed record Violation(int Rule, string Subject, string Offender)
{
    public override string ToString() => $"Rule {Rule}: {Subject} must not depend on {Offender}.";
}
