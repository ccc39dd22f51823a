"""The shared kernel every system builds on: typed errors with their HTTP status and
bilingual messages, the caller (``Principal``) and roles, the organisation directory,
the table base and its binding, in-process events, clock, settings, logging, the
administrator-function declaration and the HTTP kernel (``http/``).

The kernel imports no system. Systems import the kernel, never each other's adapters.
"""
