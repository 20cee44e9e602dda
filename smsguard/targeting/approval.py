"""What approving a campaign needs from the settings: the exclusions' policy and, when the
institution has trained one, its propensity model (``smsguard audience train``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from smsguard.settings import Settings
from smsguard.store.models import Institution
from smsguard.targeting.policy import ExclusionPolicy, policy_for
from smsguard.targeting.ports import Scorer


def approval_inputs(settings: Settings, session: Session,
                    now: datetime) -> tuple[ExclusionPolicy, Scorer | None]:  # fmt: skip
    """The policy from ``targeting_file`` and the session institution's model, if any."""
    from smsguard.targeting.propensity import default_model_path, load_model

    institution = session.get(Institution, getattr(session, "institution_id", None))
    scorer = None
    if institution is not None:
        path = default_model_path(settings, institution.code)
        scorer = load_model(path).at(now) if path.exists() else None
    return policy_for(settings), scorer
