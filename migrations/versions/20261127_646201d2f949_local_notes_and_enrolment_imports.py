"""local notes and enrolment imports

Revision ID: 646201d2f949
Revises: 7c0a1f3e2b10
Create Date: 2026-11-27 18:12:55.688267

"""
from alembic import op
import sqlalchemy as sa

import cohortapp.sqltypes


# revision identifiers, used by Alembic.
revision = '646201d2f949'
down_revision = '7c0a1f3e2b10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('enrolment_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('created_at', cohortapp.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('applied_at', cohortapp.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_enrolment_imports_city_id_cities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_enrolment_imports_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment_imports'))
    )
    with op.batch_alter_table('enrolment_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_imports_city_id'), ['city_id'], unique=False)

    op.create_table('local_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('page_key', sa.String(length=120), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('body_md', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('updated_at', cohortapp.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_local_notes_city_id_cities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_local_notes_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_local_notes')),
    sa.UniqueConstraint('city_id', 'page_key', 'locale', name=op.f('uq_local_notes_city_id_page_key_locale'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=120), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('name')

    op.drop_table('local_notes')
    with op.batch_alter_table('enrolment_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_imports_city_id'))

    op.drop_table('enrolment_imports')
