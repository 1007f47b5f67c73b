"""credential signing keys

Revision ID: 0016_credential_keys
Revises: 0015_certificates
Create Date: 2026-12-08 00:33:48.357076

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_credential_keys'
down_revision = '0015_certificates'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('credential_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('private_pem', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credential_keys')),
    sa.UniqueConstraint('kid', name=op.f('uq_credential_keys_kid'))
    )


def downgrade():
    op.drop_table('credential_keys')
