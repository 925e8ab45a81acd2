"""outbox: when the last delivery error happened

Revision ID: 0005_outbox_error_time
Revises: 0004_review_checkin
Create Date: 2026-11-23 10:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005_outbox_error_time"
down_revision = "0004_review_checkin"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_error_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('last_error_at')
