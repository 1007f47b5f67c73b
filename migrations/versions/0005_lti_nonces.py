"""lti nonces and identity details

Revision ID: 0005_lti_nonces
Revises: 0004_lti
Create Date: 2026-11-22 04:05:10.217456

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_lti_nonces'
down_revision = '0004_lti'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lti_nonces',
    sa.Column('nonce', sa.String(length=255), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('nonce', name=op.f('pk_lti_nonces'))
    )
    with op.batch_alter_table('lti_nonces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_nonces_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('lti_identities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))

def downgrade():
    with op.batch_alter_table('lti_identities', schema=None) as batch_op:
        batch_op.drop_column('email')
        batch_op.drop_column('name')

    with op.batch_alter_table('lti_nonces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_nonces_expires_at'))

    op.drop_table('lti_nonces')
