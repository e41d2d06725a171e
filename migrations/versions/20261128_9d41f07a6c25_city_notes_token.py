"""notes token per city

Revision ID: 9d41f07a6c25
Revises: 4d0be8466f17
Create Date: 2026-11-28 03:10:00

"""
import secrets

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
    # One value for every existing city is enough: lesson pages key the notes on city and token.
    # (Left nullable: making it NOT NULL would copy the table on SQLite, and the copy's DROP
    # would cascade to the cities' memberships and cohorts.)
    op.execute(
        sa.text("UPDATE cities SET notes_token = :token").bindparams(token=secrets.token_hex(16))
    )


def downgrade():
    with op.batch_alter_table('cities', schema=None) as batch_op:
        batch_op.drop_column('notes_token')
