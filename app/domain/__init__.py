"""The domain layer: validation, authorization, tenancy and atomicity live here, once, for
GraphQL and REST alike (DESIGN rule 1). Plain async functions taking a RequestContext."""
