"""Database access: engine, sessions, table models and migration helpers."""
