"""outbox: messages rendered when sent, from their render_params

Revision ID: 0010_outbox_render_params
Revises: 0009_registration_change_index
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_outbox_render_params'
down_revision = '0009_registration_change_index'
branch_labels = None
depends_on = None


def upgrade():
    # Registration e-mails are rendered when sent, outside the seat lock: the row keeps
    # what the renderer needs, and no subject or body until then.
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('render_params', sa.JSON(none_as_null=True), nullable=True))


def downgrade():
    # The older code cannot send a message without its body: refuse rather than lose one.
    unrendered = op.get_bind().execute(
        sa.text("SELECT count(*) FROM outbox_message WHERE render_params IS NOT NULL")
    ).scalar_one()
    if unrendered:
        raise RuntimeError(
            f"{unrendered} outbox messages are not rendered yet: send them first "
            "(flask outbox send), then downgrade"
        )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('render_params')
