"""course progress: page progress and responses

Revision ID: 7c0a1f3e2b10
Revises: e545f6b74ea8
Create Date: 2026-11-27 18:05:00

"""
from alembic import op
import sqlalchemy as sa

import cohortapp.sqltypes


# revision identifiers, used by Alembic.
revision = '7c0a1f3e2b10'
down_revision = 'e545f6b74ea8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('page_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('page_key', sa.String(length=120), nullable=False),
    sa.Column('first_seen_at', cohortapp.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', cohortapp.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_page_progress_enrollment_id_enrollments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page_progress')),
    sa.UniqueConstraint('enrollment_id', 'page_key', name=op.f('uq_page_progress_enrollment_id_page_key'))
    )
    op.create_table('responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('page_key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('choice', sa.String(length=10), nullable=True),
    sa.Column('first_choice', sa.String(length=10), nullable=True),
    sa.Column('first_choice_correct', sa.Boolean(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', cohortapp.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', cohortapp.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('reflection', 'check')", name=op.f('ck_responses_kind')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_responses_enrollment_id_enrollments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responses')),
    sa.UniqueConstraint('enrollment_id', 'page_key', name=op.f('uq_responses_enrollment_id_page_key'))
    )


def downgrade():
    op.drop_table('responses')
    op.drop_table('page_progress')
