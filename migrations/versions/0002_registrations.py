"""registrations: waiting-list order, reminder sent, questions assigned to a unit and answered

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:10:00

Hand-written, batch-mode safe (SQLite recreates the table). All new columns are nullable, so
existing rows need no data: a NULL status_changed_at falls back to created_at when the waiting
list is ordered, and NULL reminder_sent_at means "not reminded yet".
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('question_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('question_answered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_registrations_question_unit_id'), ['question_unit_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_registrations_question_unit_id_organisations'), 'organisations',
            ['question_unit_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_registrations_question_unit_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_registrations_question_unit_id'))
        batch_op.drop_column('question_answered_at')
        batch_op.drop_column('question_unit_id')
        batch_op.drop_column('reminder_sent_at')
        batch_op.drop_column('status_changed_at')
