"""Accounts tests use the shared accounts fixtures, loaded for the whole suite by the root conftest."""
