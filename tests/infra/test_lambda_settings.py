"""Function settings in the packaged template: the API answers within API Gateway's
29 s, the audit may take longer, and no function runs on 128 MB."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_function_timeouts_and_memory(template_of, stage):
    functions = {name: resource["Properties"] for name, resource in template_of(stage)["Resources"].items()
                 if resource["Type"] == "AWS::Serverless::Function"}
    assert functions
    assert functions["APIHandler"]["Timeout"] <= 29
    assert functions["AuditLedger"]["Timeout"] == 300
    # Cognito gives a trigger 5 s; a slower one fails the sign-in.
    assert functions["TokenClaims"]["Timeout"] == 5
    assert all(props["MemorySize"] >= 512 for props in functions.values())
