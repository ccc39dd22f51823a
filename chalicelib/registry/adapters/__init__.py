"""Adapters of the registry to DynamoDB (PynamoDB)."""
