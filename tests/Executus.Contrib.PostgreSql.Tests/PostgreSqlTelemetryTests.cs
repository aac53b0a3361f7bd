using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;

namespace Executus.Contrib.PostgreSql.Tests;

public sealed class PostgreSqlTelemetryTests
{
    [Fact]
    public void The_meter_is_listed_for_hosts()
    {
        Assert.Equal("Executus.PostgreSql", ExecutusTelemetry.PostgreSqlMeterName);
        Assert.Contains(ExecutusTelemetry.PostgreSqlMeterName, ExecutusTelemetry.MeterNames);
    }

    [Fact]
    public async Task Migrations_and_an_unreachable_server_are_counted()
    {
        using var schema = new TestSchema();
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        string unreachable = $"127.0.0.1:{port}/nowhere";
        var measurements = new List<(string Name, long Value, string? Kind, string? Db)>();
        using var listenerMeter = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ExecutusTelemetry.PostgreSqlMeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listenerMeter.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? kind = null;
            string? db = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                kind = tag.Key == "kind" ? tag.Value as string : kind;
                db = tag.Key == "db" ? tag.Value as string : db;
            }

            lock (measurements)
            {
                measurements.Add((instrument.Name, value, kind, db));
            }
        });
        listenerMeter.Start();

        await schema.Database.MigrateAsync();
        await using var down = new PostgreSqlDatabase($"Host=127.0.0.1;Port={port};Username=nobody;Database=nowhere;Timeout=3");
        await Assert.ThrowsAsync<PostgreSqlStoreUnavailableException>(async () => await new PostgreSqlKeyValueStore(down).GetAsync("s", "k"));

        lock (measurements)
        {
            Assert.Contains(measurements, m => m.Name == "executus.postgresql.migrations.applied" && m.Db == schema.Database.Target && m.Value == PostgreSqlDatabase.SchemaVersion);
            Assert.Contains(measurements, m => m.Name == "executus.postgresql.errors" && m.Kind == "unavailable" && m.Db == unreachable);
        }
    }
}
