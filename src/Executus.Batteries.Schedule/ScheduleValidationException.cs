namespace Executus.Schedules;

/// <summary>A schedule is not valid (a cron expression that does not parse, an unknown time zone…); thrown when it is saved.</summary>
public sealed class ScheduleValidationException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public ScheduleValidationException()
        : this("A schedule is not valid.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public ScheduleValidationException(string message)
        : base(message)
    {
        ScheduleId = string.Empty;
        Field = string.Empty;
        Problem = message;
    }

    /// <summary>Initializes a new instance with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ScheduleValidationException(string message, Exception? innerException)
        : base(message, innerException)
    {
        ScheduleId = string.Empty;
        Field = string.Empty;
        Problem = message;
    }

    /// <summary>Initializes a new instance naming the schedule and the field.</summary>
    /// <param name="scheduleId">The schedule's id (as given, possibly blank).</param>
    /// <param name="field">The field (<c>Cron</c>, <c>TimeZone</c>, <c>Target.Name</c>…).</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ScheduleValidationException(string scheduleId, string field, string problem, Exception? innerException = null)
        : base($"Schedule '{scheduleId}': {field} is not valid: {problem}", innerException)
    {
        ScheduleId = scheduleId;
        Field = field;
        Problem = problem;
    }

    /// <summary>Gets the schedule's id.</summary>
    public string ScheduleId { get; }

    /// <summary>Gets the field that is not valid (<c>Id</c>, <c>Cron</c>, <c>TimeZone</c>, <c>Target</c>, <c>Target.Name</c>, <c>Target.Agent</c>, <c>Jitter</c>, <c>MaxCatchUp</c>, <c>Lane</c>).</summary>
    public string Field { get; }

    /// <summary>Gets what is wrong, without the schedule and the field.</summary>
    public string Problem { get; }
}
