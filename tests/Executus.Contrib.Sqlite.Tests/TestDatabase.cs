using Microsoft.Data.Sqlite;

namespace Executus.Contrib.Sqlite.Tests;

/// <summary>A fresh SQLite file in a temporary folder per test, deleted at the end.</summary>
internal sealed class TestDatabase : IDisposable
{
    public TestDatabase(SqliteDatabaseOptions? options = null)
    {
        Folder = Path.Combine(Path.GetTempPath(), "executus-sqlite-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        FilePath = Path.Combine(Folder, "executus.db");
        Database = new SqliteDatabase($"Data Source={FilePath}", options);
    }

    public string Folder { get; }

    public string FilePath { get; }

    public string ConnectionString => $"Data Source={FilePath}";

    public SqliteDatabase Database { get; }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A pooled connection of a parallel test may still hold the file; the temp folder is cleaned by the OS.
        }
    }
}
