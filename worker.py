"""The background worker's entry point: ``huey_consumer worker.huey`` (``make run`` starts it)."""

from lms.jobs import huey  # noqa: F401  (the queue the consumer serves)
from wsgi import app  # noqa: F401  (configures the queue and registers every job)
