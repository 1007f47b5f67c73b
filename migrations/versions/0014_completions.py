"""course completions and time on modules

Revision ID: 0014_completions
Revises: 0013_attempts
Create Date: 2026-12-08 00:10:18.380638

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_completions'
down_revision = '0013_attempts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_completions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('score', sa.Numeric(precision=5, scale=4), nullable=True),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('seconds_spent', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_completions_course_id_courses'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_course_completions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_completions')),
    sa.UniqueConstraint('user_id', 'course_id', name=op.f('uq_course_completions_user_id_course_id'))
    )
    with op.batch_alter_table('course_completions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_completions_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_completions_user_id'), ['user_id'], unique=False)

    op.create_table('module_time',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Integer(), nullable=False),
    sa.Column('last_ping_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_module_time_module_id_modules'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_module_time_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_module_time')),
    sa.UniqueConstraint('user_id', 'module_id', name=op.f('uq_module_time_user_id_module_id'))
    )
    with op.batch_alter_table('module_time', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_module_time_module_id'), ['module_id'], unique=False)

    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('required_modules', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('minimum_minutes', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('minimum_minutes')
        batch_op.drop_column('required_modules')

    with op.batch_alter_table('module_time', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_module_time_module_id'))

    op.drop_table('module_time')
    with op.batch_alter_table('course_completions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_completions_user_id'))
        batch_op.drop_index(batch_op.f('ix_course_completions_course_id'))

    op.drop_table('course_completions')
