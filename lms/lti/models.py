from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import Organisation
from lms.core.types import UTCDateTime, str_enum, utcnow
from lms.extensions import db


class LtiKey(db.Model):
    """One of NordLearn's RSA signing keys. The newest active key signs; every key
    not yet retired is published at /lti/jwks, so platforms can check what an
    older key signed while a rotation settles."""

    __tablename__ = "lti_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeploymentPolicy(enum.StrEnum):
    APPROVE = "approve"  # an unknown deployment waits for an admin
    ACCEPT = "accept"  # an unknown deployment is accepted at once


class DeploymentStatus(enum.StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    REJECTED = "rejected"


class LtiRegistration(db.Model):
    """A platform (issuer) and one of its clients; one issuer may hold many clients."""

    __tablename__ = "lti_registrations"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    auth_login_url: Mapped[str] = mapped_column(String(500))
    auth_token_url: Mapped[str] = mapped_column(String(500))
    key_set_url: Mapped[str] = mapped_column(String(500))
    auth_audience: Mapped[str | None] = mapped_column(String(500))
    deployment_policy: Mapped[DeploymentPolicy] = mapped_column(
        str_enum(DeploymentPolicy), default=DeploymentPolicy.APPROVE
    )
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    deployments: Mapped[list[LtiDeployment]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="LtiDeployment.id"
    )


class LtiDeployment(db.Model):
    __tablename__ = "lti_deployments"
    __table_args__ = (UniqueConstraint("registration_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registrations.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[DeploymentStatus] = mapped_column(str_enum(DeploymentStatus))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    registration: Mapped[LtiRegistration] = relationship(back_populates="deployments")


class LtiIdentity(db.Model):
    """A platform user: (issuer, subject) names one NordLearn user, never merged by e-mail."""

    __tablename__ = "lti_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registrations.id", ondelete="CASCADE"))
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    # As the platform last sent them; a platform's e-mail never signs anyone in.
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LtiNonce(db.Model):
    """A nonce of an accepted id_token, kept until the token could no longer be valid,
    so that a replayed token is refused by every instance. (Redis keys do this job
    when LMS_REDIS_URL is set.)"""

    __tablename__ = "lti_nonces"

    nonce: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class LtiGradeLink(db.Model):
    """Where a platform takes one learner's scores for one resource link: the line item
    named in the launch's AGS claim, or one NordLearn finds or creates in the claim's
    line-item container. ``module_id`` is empty for a link to a whole course."""

    __tablename__ = "lti_grade_links"
    __table_args__ = (UniqueConstraint("registration_id", "resource_link_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registrations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(255))  # the platform's user id, as scores name it
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    label: Mapped[str] = mapped_column(String(300))
    lineitems_url: Mapped[str | None] = mapped_column(String(500))
    lineitem_url: Mapped[str | None] = mapped_column(String(500))
    scopes: Mapped[str] = mapped_column(Text)  # as the claim granted them, space-separated
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    registration: Mapped[LtiRegistration] = relationship()


class ScoreStatus(enum.StrEnum):
    PENDING = "pending"  # waiting to be sent, or to be sent again after a failure
    SENT = "sent"
    SUPERSEDED = "superseded"  # a newer score of the same link was sent instead


class LtiScore(db.Model):
    """The grade outbox: every score NordLearn owes a platform, kept until the platform
    took it (or a newer score of the same link replaced it); failures are retried with
    back-off and never dropped."""

    __tablename__ = "lti_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_link_id: Mapped[int] = mapped_column(ForeignKey("lti_grade_links.id", ondelete="CASCADE"), index=True)
    score_given: Mapped[float] = mapped_column(Float)
    score_maximum: Mapped[float] = mapped_column(Float)
    activity_progress: Mapped[str] = mapped_column(String(20))
    grading_progress: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the score's timestamp for the platform
    status: Mapped[ScoreStatus] = mapped_column(str_enum(ScoreStatus), default=ScoreStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    link: Mapped[LtiGradeLink] = relationship(lazy="joined")
