"""ticket version: ticket links derived from (registration, version), and the reminder stamp

Revision ID: 0008
Revises: 0007 (must change password)
Create Date: 2026-12-06 10:30:00

Hand-written. Two columns on registrations. `ticket_version` (0 for existing rows) is what a
ticket link is derived from together with the registration id and SECRET_KEY, so an e-mail can
carry the holder's current link again without changing it; only asking for a new link raises
it. `ticket_reminded_at` rate-limits the reminders that a duplicate public submission (or a
request for a new link) sends, across every worker. Existing rows keep their random tokens
(only their hashes are stored): those links keep working; e-mails for them offer a new link.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('ticket_reminded_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('ticket_reminded_at')
        batch_op.drop_column('ticket_version')
