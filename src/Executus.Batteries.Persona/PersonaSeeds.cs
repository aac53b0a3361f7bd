namespace Executus.Personas;

/// <summary>The personas <c>AddPersonas</c> collected at registration, seeding the default store.</summary>
internal sealed class PersonaSeeds
{
    private readonly List<Persona> _personas = [];

    public IReadOnlyList<Persona> Personas => _personas;

    public void Add(Persona persona)
    {
        Persona? first = _personas.Find(p => p.Name.Equals(persona.Name, StringComparison.OrdinalIgnoreCase));
        if (first is not null)
        {
            throw new PersonaLoadException(
                persona.SourcePath ?? "(added in code)",
                null,
                "name",
                $"persona '{persona.Name}' is already defined in {first.SourcePath ?? "code"}");
        }

        _personas.Add(persona);
    }
}
