"""The panel's own REST API (`/api/v1/...`): panel API tokens, and DRF views over the services."""
