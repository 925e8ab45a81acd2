"""registration: index on updated_at, for the programme's version

Revision ID: 0009_registration_change_index
Revises: 0008_awards
Create Date: 2026-12-02 20:35:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009_registration_change_index'
down_revision = '0008_awards'
branch_labels = None
depends_on = None


def upgrade():
    # The programme cache reads max(updated_at) on every request: an index makes it O(1).
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index('ix_registration_updated_at', ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_updated_at')
