"""The HTTP service: a FastAPI application over the library (docs/api.md).

Routes translate HTTP to library calls and back; the library decides. Build it with
:func:`smsguard.bootstrap.build_app`.
"""

from smsguard.api.app import create_app
from smsguard.api.services import ApiServices

__all__ = ["ApiServices", "create_app"]
