"""The tenant-isolation matrix (tests/test_isolation_matrix.py): a victim tenant full of
marked data, the callers that must not get at it, every operation as data, and how answers
and the victim's rows are read."""
