using System.Collections.Concurrent;
using System.Diagnostics;

namespace Executus.Core.Tests.Telemetry;

/// <summary>Records the activities of one source that belong to the creating test (children of its own root span).</summary>
internal sealed class ActivityCapture : IDisposable
{
    private const string TestSourceName = "Executus.Core.Tests.Telemetry";
    private static readonly ActivitySource s_testSource = new(TestSourceName);

    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public ActivityCapture(string sourceName)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == sourceName || s.Name == TestSourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (Root is not null && a.TraceId == Root.TraceId && a != Root)
                {
                    _stopped.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
        Root = s_testSource.StartActivity("test-root");
    }

    /// <summary>Gets the test's root span: spans started under it belong to this test.</summary>
    public Activity? Root { get; }

    public IReadOnlyList<Activity> Stopped => [.. _stopped];

    public void Dispose()
    {
        Root?.Dispose();
        _listener.Dispose();
    }
}
