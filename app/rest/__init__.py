"""The REST shim: the seeds' REST dialects mapped onto the domain layer."""
