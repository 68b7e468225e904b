"""calendar deliveries: what each person's mail calendar was told; a person's calendar path

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 11:00:00

Hand-written. `calendar_deliveries` holds, per person and calendar identity (UID + RECURRENCE-ID),
the SEQUENCE and significant content last sent, so one reconciler can work out the REQUEST and
CANCEL messages that bring each mail calendar to the database's truth. Existing installations start
with no records: the first change a person sees after the upgrade re-sends their current
invitations once (a REQUEST at the current SEQUENCE, which calendars merge with what they hold).
`people.calendar_mode` is each person's one calendar path (e-mailed invitations by default).
`registrations.invitation_sequence` (revision 0005) is dropped: the per-person records replace it.
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _backfill():
    """What the old code sent: one invitation per approved registration of a published event that
    is not over (the series UID + RECURRENCE-ID for an occurrence, the event's UID for a one-off),
    at the event's SEQUENCE plus the registrant's offset. The fingerprint is unknown (''), so the
    first change after the upgrade re-sends the person's current invitation once."""
    bind = op.get_bind()
    now = datetime.now(UTC)
    rows = bind.execute(sa.text(
        "SELECT r.person_id, e.uid, e.original_start, s.uid AS series_uid, e.sequence, "
        "r.invitation_sequence, e.title, e.starts_at, e.ends_at, e.tz "
        "FROM registrations r JOIN events e ON e.id = r.event_id "
        "JOIN people p ON p.id = r.person_id LEFT JOIN event_series s ON s.id = e.series_id "
        "WHERE r.status = 'approved' AND e.status = 'published' AND p.email IS NOT NULL")).all()
    table = sa.table('calendar_deliveries', *(sa.column(name) for name in (
        'person_id', 'uid', 'recurrence_key', 'sequence', 'fingerprint', 'cancelled', 'summary', 'starts_at',
        'ends_at', 'tz', 'created_at', 'updated_at')))
    seen, records = set(), []
    for row in rows:
        starts, ends, original = (_aware(row.starts_at), _aware(row.ends_at), _aware(row.original_start))
        if ends <= now:
            continue
        uid = row.series_uid if row.series_uid and original else row.uid
        key = f"{original:%Y%m%dT%H%M%SZ}" if row.series_uid and original else ""
        if (row.person_id, uid, key) in seen:
            continue
        seen.add((row.person_id, uid, key))
        records.append({'person_id': row.person_id, 'uid': uid, 'recurrence_key': key,
                        'sequence': (row.sequence or 0) + (row.invitation_sequence or 0), 'fingerprint': '',
                        'cancelled': False, 'summary': (row.title or '')[:300], 'starts_at': starts,
                        'ends_at': ends, 'tz': row.tz, 'created_at': now, 'updated_at': now})
    if records:
        op.bulk_insert(table, records)


def _aware(value):
    """SQLite returns naive (or text) datetimes; stored values are UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def upgrade():
    op.create_table(
        'calendar_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('uid', sa.String(length=80), nullable=False),
        sa.Column('recurrence_key', sa.String(length=16), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('cancelled', sa.Boolean(), nullable=False),
        sa.Column('summary', sa.String(length=300), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('tz', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                                name=op.f('fk_calendar_deliveries_person_id_people'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_deliveries')),
        sa.UniqueConstraint('person_id', 'uid', 'recurrence_key',
                            name=op.f('uq_calendar_deliveries_person_id_uid_recurrence_key')),
    )
    with op.batch_alter_table('calendar_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_deliveries_person_id'), ['person_id'], unique=False)
    _backfill()
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_mode', sa.Enum('invitations', 'subscription', name='calendarmode',
                                                               native_enum=False, create_constraint=False,
                                                               length=20),
                                      server_default='invitations', nullable=False))
        batch_op.create_check_constraint(
            'calendar_mode_valid', "calendar_mode IN ('invitations', 'subscription')")
    # Superseded by calendar_deliveries: the SEQUENCE is now kept per person and calendar identity.
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('invitation_sequence')


def downgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_people_calendar_mode_valid'), type_='check')
        batch_op.drop_column('calendar_mode')
    with op.batch_alter_table('calendar_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_deliveries_person_id'))
    op.drop_table('calendar_deliveries')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invitation_sequence', sa.Integer(), server_default='0', nullable=False))
