"""The OpenAPI 3.1 document of the REST shim (`GET /openapi.json`) and its Swagger UI page
(`GET /docs`)."""
