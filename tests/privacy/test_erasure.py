"""Delete my account: after a confirmation, what identifies the person is erased; figures stay right; the
certificate verifies as issued to a deleted account; partner-platform identities go."""

from __future__ import annotations

import json
from html import unescape

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.assessment.models import Attempt
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.learning.models import CourseCompletion, ModuleProgress
from lms.lti.models import LtiIdentity
from lms.privacy import services as privacy
from tests.conftest import post_form
from tests.factories import PASSWORD
from tests.privacy.test_data_export import learner_with_history


def counts() -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, Attempt, ModuleProgress, CourseCompletion, Certificate)}


def test_a_learner_deletes_their_account_and_only_what_identifies_them_goes(client, app):
    user, course, _organisation = learner_with_history(client, "aino@example.fi", "Aino Virtanen")
    code = db.session.scalar(select(Certificate.code))
    before = counts()
    page = "/account/delete"
    refused = post_form(client, page, {"password": PASSWORD}, token_from=page)
    assert refused.status_code == 422 and "Nothing was deleted" in unescape(refused.get_data(as_text=True))
    wrong = post_form(client, page, {"confirm": "yes", "password": "not the password"}, token_from=page)
    assert wrong.status_code == 422 and "not right" in unescape(wrong.get_data(as_text=True))
    assert db.session.get(User, user.id).email == "aino@example.fi"

    done = post_form(client, page, {"confirm": "yes", "password": PASSWORD}, token_from=page)
    assert done.status_code == 302
    db.session.expire_all()
    assert counts() == before, "progress, attempts, completions and certificates stay, anonymous"
    gone = db.session.get(User, user.id)
    assert (gone.email, gone.password_hash, gone.display_name) == (None, None, privacy.ERASED_NAME)
    assert gone.deleted_at is not None
    exported = json.dumps(privacy.export(gone), default=str)
    assert "Aino" not in exported and "aino@example.fi" not in exported
    assert client.get("/dashboard").status_code == 302, "logged out everywhere"
    assert post_form(client, "/account/login", {"email": "aino@example.fi", "password": PASSWORD},
                     token_from="/account/login").status_code != 302
    verify = unescape(app.test_client().get(f"/verify/{code}").get_data(as_text=True))
    assert "This certificate is valid." in verify and "a deleted account" in verify and "Aino" not in verify


def test_partner_platform_identities_are_removed_so_a_new_launch_makes_a_new_user(app, runner):
    from lms.accounts.models import Organisation
    from lms.lti.models import LtiRegistration
    from tests.factories import make_member

    organisation = db.session.scalar(select(Organisation).order_by(Organisation.id))
    registration = LtiRegistration(name="Moodle", issuer="https://moodle.example", client_id="c",
                                   organisation_id=organisation.id,
                                   auth_login_url="https://moodle.example/login",
                                   auth_token_url="https://moodle.example/token",
                                   key_set_url="https://moodle.example/jwks")
    db.session.add(registration)
    member = make_member()
    db.session.add(LtiIdentity(user_id=member.id, registration_id=registration.id, issuer=registration.issuer,
                               subject="42", name="Kari Nordmann"))
    member.email = "kari@example.no"
    db.session.commit()
    result = runner.invoke(args=["privacy", "erase", "kari@example.no"])
    assert result.exit_code != 0 and "--yes" in result.output
    result = runner.invoke(args=["privacy", "erase", "kari@example.no", "--yes"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(LtiIdentity)) == 0
    assert db.session.get(User, member.id).display_name == privacy.ERASED_NAME
