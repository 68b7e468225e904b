"""certificates: each event's certificate wording and the certificates issued to those present

Revision ID: 0014
Revises: 0009 (the lead re-chains at merge)
Create Date: 2026-12-06 13:40:00

Hand-written. `certificate_templates`: one per event at most (what its certificates say; an
event without one uses the default wording). `certificates`: one per registration at most,
with its unguessable verification code (unique, Crockford base32) and its revocation.
Both go with their event or registration (ON DELETE CASCADE); a revoking user who is deleted
leaves the revocation standing (SET NULL).
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'certificate_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('issuer', sa.String(length=300), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('signatory_name', sa.String(length=150), nullable=False),
        sa.Column('signatory_title', sa.String(length=200), nullable=False),
        sa.Column('place', sa.String(length=150), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_certificate_templates_event_id_events'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_templates')),
        sa.UniqueConstraint('event_id', name=op.f('uq_certificate_templates_event_id')),
    )
    op.create_table(
        'certificates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_by_id', sa.Integer(), nullable=True),
        sa.Column('revocation_reason', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_certificates_registration_id_registrations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_certificates_revoked_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
        sa.UniqueConstraint('code', name=op.f('uq_certificates_code')),
        sa.UniqueConstraint('registration_id', name=op.f('uq_certificates_registration_id')),
    )


def downgrade():
    op.drop_table('certificates')
    op.drop_table('certificate_templates')
