"""The HTTP kernel every system's ``routes.py`` declares its routes with.

- ``operations``: ``ApiBlueprint.route`` declares a route with its models, roles and
  errors, and registers it for the OpenAPI document;
- ``pipeline``: what runs around every route (correlation id, body limit, parsing,
  validation, the caller, typed errors to the error body, logs and metrics);
- ``requests`` / ``responses``: parsing and validation; the JSON and error bodies;
- ``authorizer``: the Cognito ID-token authorizer and the caller it passes on;
- ``middleware``: Chalice's own error bodies rewritten into ours;
- ``openapi`` and ``meta_routes``: the API's description, and health.
"""
