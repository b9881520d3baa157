"""Alembic migrations of the workbench database (run by ``Database.migrate``)."""
