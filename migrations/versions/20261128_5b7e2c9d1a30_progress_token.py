"""progress token per enrolment

Revision ID: 5b7e2c9d1a30
Revises: 4d0be8466f17
Create Date: 2026-11-28 02:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b7e2c9d1a30'
down_revision = '4d0be8466f17'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('progress_token', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_column('progress_token')
