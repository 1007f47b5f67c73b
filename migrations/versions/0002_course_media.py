"""course images

Revision ID: 0002_course_media
Revises: 0001_initial
Create Date: 2026-11-22 03:24:19.756294

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0002_course_media'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_media_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_media')),
    sa.UniqueConstraint('course_id', 'name', name=op.f('uq_course_media_course_id_name'))
    )


def downgrade():
    op.drop_table('course_media')

