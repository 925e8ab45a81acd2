"""metric snapshots: the network's adoption figures

Revision ID: 0007_metrics
Revises: 0006_checkin_time
Create Date: 2026-12-02 20:20:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0007_metrics"
down_revision = "0006_checkin_time"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "metric_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column(
            "qualifier",
            sa.Enum(
                "exact",
                "about",
                "more_than",
                name="metric_qualifier",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_metric_snapshot_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_snapshot")),
    )
    with op.batch_alter_table("metric_snapshot", schema=None) as batch_op:
        batch_op.create_index("ix_metric_key_scope", ["key", "organisation_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_metric_snapshot_measured_on"), ["measured_on"], unique=False
        )
        batch_op.create_index(
            "uq_metric_network",
            ["measured_on", "key"],
            unique=True,
            sqlite_where=sa.text("organisation_id IS NULL"),
            postgresql_where=sa.text("organisation_id IS NULL"),
        )
        batch_op.create_index(
            "uq_metric_organisation",
            ["measured_on", "organisation_id", "key"],
            unique=True,
            sqlite_where=sa.text("organisation_id IS NOT NULL"),
            postgresql_where=sa.text("organisation_id IS NOT NULL"),
        )


    op.create_table(
        "metric_goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("target", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_goal")),
        sa.UniqueConstraint("key", name=op.f("uq_metric_goal_key")),
    )


def downgrade():
    op.drop_table("metric_goal")
    op.drop_table("metric_snapshot")
