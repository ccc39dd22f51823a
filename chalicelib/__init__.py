"""JVETS platform: registry, emissions management and trade matching.

Packages:
- ``registry``: accounts, units and transactions (the ledger).
- ``emissions``: emission sources, monitoring data, reports and verification.
- ``matching``: the trade matching notice board.
- ``identity``: who the caller is (Cognito tokens) and organisations.
- ``api``: the HTTP routes (thin: parse, call one service, map errors).
- ``admin``: the administrator's console-invoked functions and their local CLI.
"""
