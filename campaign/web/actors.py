"""Who acts in a request, as the audit trail names them: the signed-in user, or a visitor."""

from __future__ import annotations

from flask import g, has_request_context

from campaign.models import User

# Who the audit trail names for a change an anonymous request makes, when no service says.
ANONYMOUS_ACTOR = "visitor"


def request_actor() -> tuple[User | None, str] | None:
    """The signed-in user of this request, or an anonymous visitor; None outside a request.

    Only a user already resolved for the request is used: the trail asks during a flush, when
    loading the user (and its session bookkeeping, which commits) cannot run.
    """
    if not has_request_context():
        return None
    user = g.get("_login_user")
    if isinstance(user, User):
        return user, user.display_name
    return None, ANONYMOUS_ACTOR
