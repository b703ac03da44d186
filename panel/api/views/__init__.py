"""API views: the generic per-service endpoints (`service`) and the panel's own lists."""
