"""evaluations: an event's questions, responses (one per attendee or site), answers, and the
day-after e-mails queued

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 14:00:00

Hand-written. A response's `respondent_key` ("r<registration>" or "s<site>") is unique per event:
the database refuses a second answer from the same attendee or site, whatever the race.
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'evaluation_questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('rating', 'choice', 'text', name='questionkind', native_enum=False,
                                  create_constraint=False, length=20), nullable=False),
        sa.Column('prompt', sa.String(length=300), nullable=False),
        sa.Column('agenda_item_id', sa.Integer(), nullable=True),
        sa.Column('options_text', sa.Text(), server_default='', nullable=False),
        sa.CheckConstraint("kind IN ('rating', 'choice', 'text')", name=op.f('ck_evaluation_questions_kind_valid')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_evaluation_questions_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_items.id'],
                                name=op.f('fk_evaluation_questions_agenda_item_id_agenda_items'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_questions')),
    )
    op.create_index(op.f('ix_evaluation_questions_event_id'), 'evaluation_questions', ['event_id'])
    op.create_index(op.f('ix_evaluation_questions_agenda_item_id'), 'evaluation_questions', ['agenda_item_id'])
    op.create_table(
        'evaluation_responses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('respondent', sa.Enum('attendee', 'site', name='respondent', native_enum=False,
                                        create_constraint=False, length=20), nullable=False),
        sa.Column('respondent_key', sa.String(length=24), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=True),
        sa.Column('site_id', sa.Integer(), nullable=True),
        sa.Column('submitted_by_id', sa.Integer(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("respondent IN ('attendee', 'site')",
                           name=op.f('ck_evaluation_responses_respondent_valid')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_evaluation_responses_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_evaluation_responses_registration_id_registrations'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_evaluation_responses_site_id_sites'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'],
                                name=op.f('fk_evaluation_responses_submitted_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_responses')),
        sa.UniqueConstraint('event_id', 'respondent_key', name=op.f('uq_evaluation_responses_event_id_respondent_key')),
    )
    op.create_index(op.f('ix_evaluation_responses_event_id'), 'evaluation_responses', ['event_id'])
    op.create_index(op.f('ix_evaluation_responses_registration_id'), 'evaluation_responses', ['registration_id'])
    op.create_index(op.f('ix_evaluation_responses_site_id'), 'evaluation_responses', ['site_id'])
    op.create_table(
        'evaluation_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('rating', sa.Integer(), nullable=True),
        sa.Column('choice', sa.String(length=200), nullable=True),
        sa.Column('text', sa.Text(), nullable=True),
        sa.CheckConstraint('rating IS NULL OR (rating >= 1 AND rating <= 5)',
                           name=op.f('ck_evaluation_answers_rating_in_range')),
        sa.ForeignKeyConstraint(['response_id'], ['evaluation_responses.id'],
                                name=op.f('fk_evaluation_answers_response_id_evaluation_responses'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['question_id'], ['evaluation_questions.id'],
                                name=op.f('fk_evaluation_answers_question_id_evaluation_questions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_answers')),
        sa.UniqueConstraint('response_id', 'question_id', name=op.f('uq_evaluation_answers_response_id_question_id')),
    )
    op.create_index(op.f('ix_evaluation_answers_question_id'), 'evaluation_answers', ['question_id'])
    op.create_table(
        'day_after_emails',
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_day_after_emails_registration_id_registrations'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('registration_id', name=op.f('pk_day_after_emails')),
    )


def downgrade():
    op.drop_table('day_after_emails')
    op.drop_index(op.f('ix_evaluation_answers_question_id'), table_name='evaluation_answers')
    op.drop_table('evaluation_answers')
    op.drop_index(op.f('ix_evaluation_responses_site_id'), table_name='evaluation_responses')
    op.drop_index(op.f('ix_evaluation_responses_registration_id'), table_name='evaluation_responses')
    op.drop_index(op.f('ix_evaluation_responses_event_id'), table_name='evaluation_responses')
    op.drop_table('evaluation_responses')
    op.drop_index(op.f('ix_evaluation_questions_agenda_item_id'), table_name='evaluation_questions')
    op.drop_index(op.f('ix_evaluation_questions_event_id'), table_name='evaluation_questions')
    op.drop_table('evaluation_questions')
