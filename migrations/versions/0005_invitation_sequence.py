"""invitation sequence: a per-registration SEQUENCE offset for the registrant's calendar invitations

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 12:00:00

Hand-written. One column on registrations, 0 for existing rows: a registrant who cancels and
registers again must get a REQUEST whose SEQUENCE is above the CANCEL's, or calendars ignore it.
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invitation_sequence', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('invitation_sequence')
