"""Alembic revisions; a package so the files ship in wheels."""
