using Npgsql;
using NpgsqlTypes;

namespace Executus.Contrib.PostgreSql;

/// <summary>Typed parameters in one line each (a null becomes a typed SQL NULL, so <c>@p IS NULL</c> works).</summary>
internal static class NpgsqlCommandExtensions
{
    public static NpgsqlCommand Command(this NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null) => new(sql, connection, transaction);

    public static NpgsqlCommand Text(this NpgsqlCommand command, string name, string? value) => command.With(name, NpgsqlDbType.Text, value);

    public static NpgsqlCommand Bytes(this NpgsqlCommand command, string name, byte[] value) => command.With(name, NpgsqlDbType.Bytea, value);

    public static NpgsqlCommand Long(this NpgsqlCommand command, string name, long? value) => command.With(name, NpgsqlDbType.Bigint, value);

    public static NpgsqlCommand Int(this NpgsqlCommand command, string name, int? value) => command.With(name, NpgsqlDbType.Integer, value);

    public static NpgsqlCommand Bool(this NpgsqlCommand command, string name, bool value) => command.With(name, NpgsqlDbType.Boolean, value);

    public static NpgsqlCommand Ticks(this NpgsqlCommand command, string name, DateTimeOffset? value) => command.With(name, NpgsqlDbType.Bigint, value?.UtcTicks);

    public static NpgsqlCommand Texts(this NpgsqlCommand command, string name, string[] values) => command.With(name, NpgsqlDbType.Array | NpgsqlDbType.Text, values);

    public static NpgsqlCommand Ints(this NpgsqlCommand command, string name, int[] values) => command.With(name, NpgsqlDbType.Array | NpgsqlDbType.Integer, values);

    public static NpgsqlCommand Longs(this NpgsqlCommand command, string name, long[] values) => command.With(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint, values);

    private static NpgsqlCommand With(this NpgsqlCommand command, string name, NpgsqlDbType type, object? value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });
        return command;
    }

    public static DateTimeOffset? GetTicksOrNull(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetInt64(ordinal), TimeSpan.Zero);

    public static string? GetStringOrNull(this NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
