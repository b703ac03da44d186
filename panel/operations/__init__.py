"""Long operations: `Operation` rows driven to an end state by resumable Celery tasks."""
