"""outbox drafts: an e-mail written with the change, rendered after its commit

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-06 13:20:00

Hand-written. A public registration's e-mail is written as a `draft` row in the transaction that
decides the seat and rendered (text, HTML, the ticket's QR image, the calendar parts) in a second
one, so the event's row lock is no longer held while it renders. `source_id` names the row the
draft is rendered from (the registration). The status check gains 'draft'. Downgrading deletes
nothing: drafts left at that moment would need the new code to render, so the downgrade refuses
while any exists.
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

OLD = "status IN ('queued', 'sending', 'sent', 'failed')"
NEW = "status IN ('draft', 'queued', 'sending', 'sent', 'failed')"


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_outbox_messages_status_valid'), type_='check')
        batch_op.create_check_constraint('status_valid', NEW)


def downgrade():
    drafts = op.get_bind().scalar(sa.text("SELECT count(*) FROM outbox_messages WHERE status = 'draft'"))
    if drafts:
        raise RuntimeError(f"{drafts} outbox drafts are not rendered yet: run `flask mail send` first")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_messages_status_valid'), type_='check')
        batch_op.create_check_constraint('status_valid', OLD)
        batch_op.drop_column('source_id')
