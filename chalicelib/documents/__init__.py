"""Documents: evidence, performance sheets and reports that participants upload.

Clients upload straight to S3 with a short-lived presigned POST that the API hands out
(the API never streams files); every object is checked again when it arrives
(``document_arrived``), because a presigned policy is not a guarantee. An accepted
version is then locked with S3 Object Lock for the stage's retention, so it cannot be
deleted or overwritten; refused uploads arrive unlocked and are deleted
(``domain/retention.py``).
"""
