"""Developer tooling: the local stack on embedded AWS, demo data, benchmarks.

Never packaged into the Lambda functions (only ``app.py`` and ``chalicelib`` are).
"""
