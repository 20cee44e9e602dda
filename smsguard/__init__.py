"""smsguard: make consumer-lending SMS safe.

Entry points: :func:`smsguard.screen` and :func:`smsguard.screen_many` (see
:mod:`smsguard.screening`), and the ``smsguard`` command line.
"""

from smsguard.errors import SmsguardError
from smsguard.screening import Finding, Verdict, screen, screen_many

__all__ = ["Finding", "SmsguardError", "Verdict", "__version__", "screen", "screen_many"]
__version__ = "0.1.0"
