from __future__ import annotations

from flask import current_app, jsonify

from lms.extensions import db
from lms.lti import bp, keys, services


@bp.get("/jwks")
def jwks():
    """NordLearn's public keys, for platforms checking what it signed."""
    document = keys.jwks()
    db.session.commit()  # the first key is made on first use
    response = jsonify(document)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/config.json")
def config():
    """The tool configuration for platforms registered by hand."""
    response = jsonify(services.tool_configuration(current_app.config["LMS_BASE_URL"]))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
