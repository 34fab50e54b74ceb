"""The tenant data plane: sandboxed tile queries and their cache."""
