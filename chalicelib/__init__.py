"""JVETS platform: registry, emissions management and trade matching.

Packages (every system has the same shape; see the README's Layout section):
- ``core``: the shared kernel (errors, principal, organisations, table, events, HTTP).
- ``registry``: accounts, units and transactions (the ledger).
- ``identity``: who the caller is (Cognito sign-in and tokens), organisations and users.
- ``documents``: uploads by presigned POST and the check of what arrives.
- ``emissions``: emission sources, monitoring data, reports and verification.
- ``matching``: the trade matching notice board.
- ``admin``: the local runner of every system's administrator functions.

``container`` is the composition root; only entry points import it.
"""
