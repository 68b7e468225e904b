"""feed fragments and states: per-event feed blocks shared by workers, per-feed validators

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:30:00

Hand-written. Two caches the feeds keep in the database so every worker shares them: the
serialised blocks of each feed by event/series version (a change rebuilds one block, not the
feed), and each feed's ETag (hash of its bytes) with the second its bytes last changed
(Last-Modified, bumped by at least one second per change). Both can be emptied at any time.
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'feed_fragments',
        sa.Column('feed_key', sa.String(length=64), nullable=False),
        sa.Column('unit', sa.String(length=32), nullable=False),
        sa.Column('version', sa.String(length=80), nullable=False),
        sa.Column('blocks', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('feed_key', 'unit', name=op.f('pk_feed_fragments')),
    )
    op.create_table(
        'feed_states',
        sa.Column('feed_key', sa.String(length=64), nullable=False),
        sa.Column('etag', sa.String(length=64), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('feed_key', name=op.f('pk_feed_states')),
    )


def downgrade():
    op.drop_table('feed_states')
    op.drop_table('feed_fragments')
