"""The GraphQL API: types, queries and mutations adapting the domain layer."""
