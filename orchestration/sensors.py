"""The landing sensor (a new or changed file requests one run) and the run-failure sensor (a failed
or blocked scheduled run leaves a summary and notifies)."""
import dagster as dg

from pilotdw.orchestration.resources import PilotdwHome


def landing_sensor_for(job) -> dg.SensorDefinition:
    @dg.sensor(name="landing_sensor", job=job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
               description="Requests a refresh when a file is added to, changed in or removed from the landing folders.")
    def landing_sensor(context: dg.SensorEvaluationContext, pilotdw: PilotdwHome):
        from pilotdw.sources.archive import landing_signature

        signature = landing_signature(pilotdw.landing_path)
        if signature == context.cursor:
            return dg.SkipReason("nothing new in the landing folders")
        context.update_cursor(signature)
        # run_key: the same landing state never requests a second run, whatever the tick.
        return dg.RunRequest(run_key=signature, tags={"pilotdw/trigger": "landing"})

    return landing_sensor


def failure_sensor_for(job) -> dg.SensorDefinition:
    @dg.run_failure_sensor(name="refresh_failure_summary", monitored_jobs=[job], default_status=dg.DefaultSensorStatus.RUNNING)
    def refresh_failure_summary(context: dg.RunFailureSensorContext, pilotdw: PilotdwHome):
        from pilotdw.orchestration.outcome import RunFacts, record_outcome, settle

        run_id = context.dagster_run.run_id
        events = (entry.dagster_event for entry in context.instance.all_logs(run_id))
        status, error = settle(pilotdw, run_id, RunFacts.of_events(events, succeeded=False))
        record_outcome(pilotdw, run_id, status=status, error=error or context.failure_event.message)

    return refresh_failure_summary
