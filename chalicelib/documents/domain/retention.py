"""How long an accepted document stays immutable: S3 Object Lock, per stage.

The documents bucket is created with Object Lock enabled but with **no default
retention**. An upload therefore lands unlocked under ``uploads/``: the arrival check can
still delete what it refuses (a wrong size, type or signature, an object no document waits
for, a second upload at a settled key). Only when the check accepts an upload does it put a
retention on exactly that object version (``PutObjectRetention``), after the document's
conditional settle in DynamoDB has made it *the* accepted version. From then on S3 refuses
to delete or overwrite that version until the retention date, whatever IAM allows:

- ``COMPLIANCE`` (prod): nobody, not even the account's root user, can delete the version
  or shorten its retention; only extending it is possible.
- ``GOVERNANCE`` (dev, and the local emulation): refused too, except to a principal
  granted ``s3:BypassGovernanceRetention`` that sends the bypass header (no Lambda
  function is granted it; an operator cleaning up a dev account can be).

A new object at the same key is a new version (the bucket is versioned), never an
overwrite of the locked one, and the documents point at their accepted version id.

No default retention on purpose: with one, every upload would be locked on arrival, so a
refused upload could not be removed, and S3 would require a Content-MD5 (or checksum)
field on every browser POST.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum


class LockMode(str, Enum):
    GOVERNANCE = "GOVERNANCE"
    COMPLIANCE = "COMPLIANCE"


@dataclass(frozen=True)
class Retention:
    mode: LockMode
    days: int

    def until(self, now: datetime) -> datetime:
        """The retain-until date of a version accepted at ``now`` (timezone-aware)."""
        return now + timedelta(days=self.days)


#: Per stage (README "Immutable evidence"). prod keeps accepted evidence 7 years
#: (2,557 days), the retention Japanese law asks of books and their supporting
#: documents; dev 30 days in governance mode so that a dev account can be emptied.
RETENTION: dict[str, Retention] = {
    "local": Retention(LockMode.GOVERNANCE, 1),
    "dev": Retention(LockMode.GOVERNANCE, 30),
    "prod": Retention(LockMode.COMPLIANCE, 2557),
}


def retention_for(stage: str) -> Retention:
    """The stage's retention; any stage that is not dev or prod is a local one."""
    return RETENTION.get(stage, RETENTION["local"])
