"""retention warnings

Revision ID: 0020_retention
Revises: 0019_deleted_accounts
Create Date: 2026-12-08 01:45:22.781238

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_retention'
down_revision = '0019_deleted_accounts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_warned_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('retention_warned_at')

