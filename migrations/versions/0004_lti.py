"""lti keys, registrations, deployments and identities

Revision ID: 0004_lti
Revises: 0003_translation_sources
Create Date: 2026-11-22 04:02:24.871101

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_lti'
down_revision = '0003_translation_sources'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lti_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('private_pem', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_keys')),
    sa.UniqueConstraint('kid', name=op.f('uq_lti_keys_kid'))
    )
    op.create_table('lti_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('auth_login_url', sa.String(length=500), nullable=False),
    sa.Column('auth_token_url', sa.String(length=500), nullable=False),
    sa.Column('key_set_url', sa.String(length=500), nullable=False),
    sa.Column('auth_audience', sa.String(length=500), nullable=True),
    sa.Column('deployment_policy', sa.Enum('approve', 'accept', name='deploymentpolicy', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_lti_registrations_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_registrations')),
    sa.UniqueConstraint('issuer', 'client_id', name=op.f('uq_lti_registrations_issuer_client_id'))
    )
    op.create_table('lti_deployments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.String(length=255), nullable=False),
    sa.Column('status', sa.Enum('approved', 'pending', 'rejected', name='deploymentstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['lti_registrations.id'], name=op.f('fk_lti_deployments_registration_id_lti_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_deployments')),
    sa.UniqueConstraint('registration_id', 'deployment_id', name=op.f('uq_lti_deployments_registration_id_deployment_id'))
    )
    op.create_table('lti_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['lti_registrations.id'], name=op.f('fk_lti_identities_registration_id_lti_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lti_identities_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_identities')),
    sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_lti_identities_issuer_subject'))
    )
    with op.batch_alter_table('lti_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_identities_user_id'), ['user_id'], unique=False)

def downgrade():
    with op.batch_alter_table('lti_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_identities_user_id'))

    op.drop_table('lti_identities')
    op.drop_table('lti_deployments')
    op.drop_table('lti_registrations')
    op.drop_table('lti_keys')
