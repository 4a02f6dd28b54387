"""`manage.py worker`: the task worker to run in production.

django-tasks-db's `db_worker` loop (same options), supervised: it survives a
database restart (reconnects with backoff), records a heartbeat that /readyz/
reads, and puts back in the queue the tasks a killed worker left running."""

from django_tasks_db.management.commands import db_worker

from cms.workers import SupervisedWorker, new_worker_id, run_supervised


class Command(db_worker.Command):
    help = "Run a task worker that survives database restarts (production)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # One id per process, with its host and pid so an operator can find it.
        parser.set_defaults(worker_id=None, reload=False)

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise db_worker.CommandError(
                "--exclude-queues can only be used with --queue-name=*"
            )
        worker = SupervisedWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id or new_worker_id(),
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        run_supervised(worker)
