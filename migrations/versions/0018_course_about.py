"""course level, dates and texts about it

Revision ID: 0018_course_about
Revises: 0017_sources
Create Date: 2026-12-08 01:02:45.778416

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_course_about'
down_revision = '0017_sources'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_texts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('prerequisites', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('outcomes', sa.Text(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('reviewer', sa.String(length=300), server_default='', nullable=False))

    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('version_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('next_review', sa.Date(), nullable=True))



def downgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('next_review')
        batch_op.drop_column('version_date')
        batch_op.drop_column('level')

    with op.batch_alter_table('course_texts', schema=None) as batch_op:
        batch_op.drop_column('reviewer')
        batch_op.drop_column('outcomes')
        batch_op.drop_column('prerequisites')
        batch_op.drop_column('audience')

