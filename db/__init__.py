"""Persistence: table models, engine set-up, the embedded server and migrations."""
