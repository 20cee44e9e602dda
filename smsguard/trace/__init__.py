"""Traceability glue: the gateway's messages into the transparency log, and consumers' checks.

:mod:`smsguard.tlog` is the log itself (pure maths, formats and file storage); this package
connects it to the outbox and to customers, which live in the database.
"""
