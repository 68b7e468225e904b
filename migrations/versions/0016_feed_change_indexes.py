"""feed change indexes: events and event_series by updated_at, events by ends_at

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 16:40:00

Hand-written. A feed's data version reads the newest updated_at of both tables, and a worker's
listing reads the rows changed since its last look; with these indexes both are index lookups
instead of scans of every event. The newest row that left a feed's window by time is read
from the ends_at index the same way.
"""
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(op.f('ix_events_updated_at'), 'events', ['updated_at'], unique=False)
    op.create_index(op.f('ix_event_series_updated_at'), 'event_series', ['updated_at'], unique=False)
    op.create_index(op.f('ix_events_ends_at'), 'events', ['ends_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_events_ends_at'), table_name='events')
    op.drop_index(op.f('ix_event_series_updated_at'), table_name='event_series')
    op.drop_index(op.f('ix_events_updated_at'), table_name='events')
