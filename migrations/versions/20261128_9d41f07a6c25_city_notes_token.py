"""notes token per city

Revision ID: 9d41f07a6c25
Revises: 4d0be8466f17
Create Date: 2026-11-28 03:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d41f07a6c25'
down_revision = '4d0be8466f17'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notes_token', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('cities', schema=None) as batch_op:
        batch_op.drop_column('notes_token')
