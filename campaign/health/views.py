"""The health check that load balancers and uptime monitors poll."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify

from campaign.extensions import db, limiter

logger = logging.getLogger(__name__)

public_bp = Blueprint("health", __name__)


@public_bp.get("/healthz")
@limiter.exempt
def healthz() -> tuple[Response, int]:
    """200 with ``{"status": "ok", "database": "ok"}`` if the database answers, else 503."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        logger.warning("health check: the database did not answer")
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200
