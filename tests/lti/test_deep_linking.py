"""An instructor picks courses or modules; the platform receives signed resource links."""

from __future__ import annotations

import re
from html import unescape

import jwt
import pytest

from tests.lti.platform import INSTRUCTOR, LEARNER
from tests.lti.test_launch import COURSE, launch

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def settings(**overrides) -> dict:
    return {DL + "deep_linking_settings": {
        "deep_link_return_url": "https://moodle.partner.example/mod/lti/contentitem_return.php",
        "accept_types": ["ltiResourceLink"], "accept_presentation_document_targets": ["iframe", "window"],
        "accept_multiple": True, "accept_lineitem": True, "data": "opaque-42", **overrides}}


def deep_link_launch(client, platform, roles=(INSTRUCTOR,), **overrides):
    claims = {LTI + "message_type": "LtiDeepLinkingRequest", LTI + "resource_link": None,
              LTI + "launch_presentation": {"locale": "en-GB"}, **settings(**overrides)}
    return launch(client, platform, roles=roles, **claims)[0]


def pick(client, *items):
    page = client.get("/lti/deep-link").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/lti/deep-link", data={"csrf_token": token, "item": list(items)})


def returned_jwt(client, response, platform) -> dict:
    html = response.get_data(as_text=True)
    assert 'action="https://moodle.partner.example/mod/lti/contentitem_return.php"' in html
    token = unescape(re.search(r'name="JWT" value="([^"]+)"', html).group(1))
    key_set = jwt.PyJWKSet.from_dict(client.get("/lti/jwks").get_json())
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in key_set.keys if k.key_id == kid)
    return jwt.decode(token, key.key, algorithms=["RS256"], audience=platform.issuer)


def test_an_instructor_adds_a_course_and_a_module_in_one_go(client, platform):
    response = deep_link_launch(client, platform)
    assert response.status_code == 302 and response.headers["Location"].endswith("/lti/deep-link")
    picker = client.get("/lti/deep-link").get_data(as_text=True)
    assert 'type="checkbox"' in picker and "Pharmacovigilance" in picker
    answer = pick(client, f"course:{COURSE}", f"module:{COURSE}/classification")
    assert answer.status_code == 200
    assert "form-action 'self' https://moodle.partner.example" in answer.headers["Content-Security-Policy"]
    claims = returned_jwt(client, answer, platform)
    assert claims["iss"] == platform.client_id
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "deployment_id"] == platform.deployment_id
    assert claims[DL + "data"] == "opaque-42"
    first, second = claims[DL + "content_items"]
    assert first["type"] == second["type"] == "ltiResourceLink"
    assert first["custom"] == {"course": COURSE} and second["custom"] == {"course": COURSE, "module": "classification"}
    assert first["url"].endswith("/lti/launch")
    assert first["lineItem"]["scoreMaximum"] == 1 and second["lineItem"]["resourceId"] == f"{COURSE}/classification"
    # The link, once launched by a learner, opens the module it names.
    response, _token, _sent = launch(client, platform, custom=second["custom"], sub="learner-2")
    assert response.headers["Location"].endswith(f"/courses/{COURSE}/modules/classification")


def test_a_platform_that_takes_one_item_and_no_line_items(client, platform):
    deep_link_launch(client, platform, accept_multiple=False, accept_lineitem=False)
    assert 'type="radio"' in client.get("/lti/deep-link").get_data(as_text=True)
    refused = pick(client, f"course:{COURSE}", f"module:{COURSE}/classification")
    assert refused.status_code == 422 and "one item at a time" in refused.get_data(as_text=True)
    assert pick(client).status_code == 422
    assert pick(client, "course:no-such-course").status_code == 422
    claims = returned_jwt(client, pick(client, f"module:{COURSE}/post-market"), platform)
    (item,) = claims[DL + "content_items"]
    assert "lineItem" not in item


def test_learners_cannot_add_content_and_the_picker_needs_a_deep_link_launch(client, platform):
    response = deep_link_launch(client, platform, roles=(LEARNER,))
    assert response.status_code == 403
    assert "Only teachers" in response.get_data(as_text=True)
    assert client.get("/lti/deep-link").status_code == 404


@pytest.mark.parametrize("types", [["link"], []])
def test_a_platform_that_takes_no_resource_links_here_is_told_so(client, platform, types):
    response = deep_link_launch(client, platform, accept_types=types)
    assert response.status_code == 400
    assert "does not take NordLearn links" in response.get_data(as_text=True)
