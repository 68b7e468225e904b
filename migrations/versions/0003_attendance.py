"""attendance: event_sites.report_reopened_at (an organiser reopened a site's locked roll-call)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 03:00:00

Hand-written. The roll-call report of a site locks itself when the event ends (derived from
events.ends_at); this nullable column records that an organiser reopened it. No data to move.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event_sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_reopened_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('event_sites', schema=None) as batch_op:
        batch_op.drop_column('report_reopened_at')
