"""must change password: a temporary password (admin-set or reset) is replaced at the next sign-in

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 10:30:00

Hand-written. One boolean on users, false for existing accounts (their passwords were chosen
before the rule existed; an admin can reset any of them to force a change).
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.text('false'),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
