"""translation sources

Revision ID: 0003_translation_sources
Revises: 0002_course_media
Create Date: 2026-11-22 03:34:42.369057

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_translation_sources'
down_revision = '0002_course_media'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('module_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_language', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('source_hash', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('module_revisions', schema=None) as batch_op:
        batch_op.drop_column('source_hash')
        batch_op.drop_column('source_language')
