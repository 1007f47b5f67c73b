"""course sources and module reviews

Revision ID: 0017_sources
Revises: 0016_credential_keys
Create Date: 2026-12-08 00:58:35.831160

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_sources'
down_revision = '0016_credential_keys'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('version', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('change_note', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_sources_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_sources')),
    sa.UniqueConstraint('course_id', 'key', name=op.f('uq_course_sources_course_id_key'))
    )
    with op.batch_alter_table('course_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_sources_course_id'), ['course_id'], unique=False)

    op.create_table('module_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_module_reviews_module_id_modules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_module_reviews_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_module_reviews'))
    )
    with op.batch_alter_table('module_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_module_reviews_module_id'), ['module_id'], unique=False)

    op.create_table('module_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_module_sources_module_id_modules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['course_sources.id'], name=op.f('fk_module_sources_source_id_course_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_module_sources')),
    sa.UniqueConstraint('module_id', 'source_id', name=op.f('uq_module_sources_module_id_source_id'))
    )
    with op.batch_alter_table('module_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_module_sources_module_id'), ['module_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_module_sources_source_id'), ['source_id'], unique=False)



def downgrade():
    with op.batch_alter_table('module_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_module_sources_source_id'))
        batch_op.drop_index(batch_op.f('ix_module_sources_module_id'))

    op.drop_table('module_sources')
    with op.batch_alter_table('module_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_module_reviews_module_id'))

    op.drop_table('module_reviews')
    with op.batch_alter_table('course_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_sources_course_id'))

    op.drop_table('course_sources')
