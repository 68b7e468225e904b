"""site evaluation notices: the day-after e-mail asking a site's coordinators to answer the
evaluation for their site, recorded once per site and event

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 14:05:00

Hand-written. The primary key (event, site) is the "at most once": two runs of `flask mail
day-after` at the same time cannot both ask the same site.
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'site_evaluation_notices',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_site_evaluation_notices_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_site_evaluation_notices_site_id_sites'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('event_id', 'site_id', name=op.f('pk_site_evaluation_notices')),
    )


def downgrade():
    op.drop_table('site_evaluation_notices')
