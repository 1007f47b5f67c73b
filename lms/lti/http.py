"""The one way LTI code reaches a platform over HTTP: through ``lms.core.outbound``, whose
rules (https only, no private addresses, no redirects, timeouts, size limits) hold for every
URL a platform names. While NordLearn itself is served over http on a loopback address (as
``make run`` serves it), platforms on loopback addresses may be reached over http too."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from flask import current_app

from lms.core import outbound

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def developing() -> bool:
    """NordLearn served over http on a loopback address: a developer's machine."""
    base = urlsplit(current_app.config["LMS_BASE_URL"])
    return base.scheme == "http" and base.hostname in LOOPBACK_HOSTS


def policy(**limits) -> outbound.Policy:
    limits.setdefault("deadline", current_app.config["LMS_OUTBOUND_DEADLINE"])
    return outbound.Policy(allow_loopback=developing(), **limits)


def session(**limits) -> requests.Session:
    http = outbound.session(policy(**limits))
    http.headers["User-Agent"] = "NordLearn LTI tool"
    return http


def acceptable_url(url: str) -> bool:
    """Whether ``url`` may be stored as a platform's endpoint: https, or http on a loopback host while
    developing (the address itself is checked again each time it is fetched)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if not parts.hostname or parts.username or parts.password:
        return False
    return parts.scheme == "https" or (developing() and parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)
