using Executus;
using Executus.Compaction;
using Executus.Configuration;
using Executus.Tokenizers;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers real tokenizers as the <see cref="ITokenCounter"/> compaction and budgets use.</summary>
public static class TokenizerBuilderExtensions
{
    /// <summary>
    /// Replaces the estimating <see cref="ITokenCounter"/> with a <see cref="TiktokenTokenCounter"/> read from
    /// <c>Executus:Tokenizers:*</c> (<c>Encoding</c>, or <c>Model</c> with optional <c>FamilyPrefixes</c> +
    /// <c>Families:{prefix}</c>); with neither key it keeps estimating (and says so in <see cref="TiktokenTokenCounter.IsEstimate"/>).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddTokenizers(this IExecutusBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<ITokenCounter>(sp => TiktokenTokenCounter.FromConfig(sp.GetRequiredService<IConfigSource>())));
        return builder;
    }

    /// <summary>Counts tokens with the tokenizer of <paramref name="model"/>'s family (the estimate for an unknown family).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="model">The model id, e.g. <c>gpt-4o</c>.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseTiktokenCounter(this IExecutusBuilder builder, string model)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        return builder.UseTokenCounter(TiktokenTokenCounter.ForModel(model));
    }
}
