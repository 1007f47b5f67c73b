"""attempts and module pass rules

Revision ID: 0013_attempts
Revises: 0012_rate_limits
Create Date: 2026-12-08 00:02:06.539772

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_attempts'
down_revision = '0012_rate_limits'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('questions', sa.Text(), nullable=False),
    sa.Column('answers', sa.Text(), nullable=True),
    sa.Column('points', sa.Text(), nullable=True),
    sa.Column('score', sa.Numeric(precision=5, scale=4), nullable=True),
    sa.Column('pass_mark', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_attempts_module_id_modules'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['revision_id'], ['module_revisions.id'], name=op.f('fk_attempts_revision_id_module_revisions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attempts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempts')),
    sa.UniqueConstraint('user_id', 'module_id', 'number', name=op.f('uq_attempts_user_id_module_id_number'))
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempts_module_id'), ['module_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempts_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('modules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pass_mark', sa.Integer(), server_default='70', nullable=False))
        batch_op.add_column(sa.Column('max_attempts', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('attempt_wait_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('must_pass', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('draw', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('modules', schema=None) as batch_op:
        batch_op.drop_column('draw')
        batch_op.drop_column('must_pass')
        batch_op.drop_column('attempt_wait_minutes')
        batch_op.drop_column('max_attempts')
        batch_op.drop_column('pass_mark')

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempts_user_id'))
        batch_op.drop_index(batch_op.f('ix_attempts_module_id'))

    op.drop_table('attempts')
