"""Entry point for the job consumer: `huey_consumer portal.worker.huey`."""
from . import create_app, jobs

app = create_app()
jobs.set_worker_app(app)
huey = jobs.huey
