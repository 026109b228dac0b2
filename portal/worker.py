"""Entry point for the job consumer: `huey_consumer portal.worker.huey`."""
from . import create_app
from .kernel.tasks import queue_of

app = create_app()
huey = queue_of(app)
