"""The complaints desk: cases from SMS replies, the web form and the API, with legal deadlines.

Pure core: :mod:`~smsguard.complaints.deadlines` (policy, due dates, reminders, escalations)
and :mod:`~smsguard.complaints.lifecycle` (the case's state machine and history). Storage and
roles: :mod:`~smsguard.complaints.service` and :mod:`~smsguard.complaints.desk`. Notices go
out as approved service SMS (:mod:`~smsguard.complaints.notify`). See docs/complaints.md.

This package file imports nothing on purpose: the gateway's reply handling imports the
service, and the notifier imports the gateway, so eager imports here would form a cycle.
"""
