"""The registry: accounts, units in serial blocks, and transactions.

``domain`` holds the pure rules (no boto3, no PynamoDB); ``services`` run one use case
each; ``adapters`` talk to DynamoDB.
"""
