"""certificates and course facts

Revision ID: 0015_certificates
Revises: 0014_completions
Create Date: 2026-12-08 00:24:24.216608

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_certificates'
down_revision = '0014_completions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('completion_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('learner_name', sa.String(length=200), nullable=False),
    sa.Column('titles', sa.Text(), nullable=False),
    sa.Column('default_language', sa.String(length=8), nullable=False),
    sa.Column('course_version', sa.String(length=40), nullable=False),
    sa.Column('law_as_at', sa.Date(), nullable=True),
    sa.Column('review_status', sa.String(length=20), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('score', sa.Numeric(precision=5, scale=4), nullable=True),
    sa.Column('provider', sa.String(length=200), nullable=True),
    sa.Column('partner', sa.String(length=200), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['completion_id'], ['course_completions.id'], name=op.f('fk_certificates_completion_id_course_completions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_certificates_course_id_courses'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_certificates_revoked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_certificates_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('code', name=op.f('uq_certificates_code')),
    sa.UniqueConstraint('completion_id', name=op.f('uq_certificates_completion_id'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('law_as_at', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('review_status', sa.String(length=20), server_default='pending', nullable=False))
        batch_op.add_column(sa.Column('provider', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('partner', sa.String(length=200), nullable=True))



def downgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('partner')
        batch_op.drop_column('provider')
        batch_op.drop_column('review_status')
        batch_op.drop_column('law_as_at')

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_user_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_course_id'))

    op.drop_table('certificates')
