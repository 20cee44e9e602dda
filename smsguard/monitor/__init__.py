"""Real-time monitoring, pure core: sliding windows, detectors, alerts and reversible actions.

Nothing in this package reads a clock, a database or the network; see docs/monitoring.md.
"""

from smsguard.monitor.actions import ActionLog, ActionRecord
from smsguard.monitor.alerts import Action, Alert, Subject
from smsguard.monitor.base import CampaignPlan
from smsguard.monitor.engine import Monitor, MonitorConfig
from smsguard.monitor.events import Event, EventKind, Scope
from smsguard.monitor.windows import Window, Windows

__all__ = [
    "Action",
    "ActionLog",
    "ActionRecord",
    "Alert",
    "CampaignPlan",
    "Event",
    "EventKind",
    "Monitor",
    "MonitorConfig",
    "Scope",
    "Subject",
    "Window",
    "Windows",
]
