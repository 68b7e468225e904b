"""materials and event links: files per event or talk (bytes in the storage folder), recordings
and livestreams, each with its audience

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-06 13:30:00

Hand-written. The files themselves are not in the database: `storage_key` names them inside
MATERIALS_FOLDER. Deleting an event deletes its rows (the files stay until cleaned up by hand).
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

AUDIENCE_CHECK = "audience IN ('public', 'registrants', 'sites')"


def upgrade():
    op.create_table(
        'materials',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('agenda_item_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size_bytes', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('storage_key', sa.String(length=64), nullable=False),
        sa.Column('audience', sa.Enum('public', 'registrants', 'sites', name='audience', native_enum=False,
                                      create_constraint=False, length=20), nullable=False),
        sa.Column('download_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(AUDIENCE_CHECK, name=op.f('ck_materials_audience_valid')),
        sa.CheckConstraint('size_bytes >= 0', name=op.f('ck_materials_size_not_negative')),
        sa.CheckConstraint('download_count >= 0', name=op.f('ck_materials_download_count_not_negative')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_materials_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_items.id'],
                                name=op.f('fk_materials_agenda_item_id_agenda_items'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_materials_uploaded_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_materials')),
        sa.UniqueConstraint('storage_key', name=op.f('uq_materials_storage_key')),
    )
    op.create_index(op.f('ix_materials_event_id'), 'materials', ['event_id'])
    op.create_index(op.f('ix_materials_agenda_item_id'), 'materials', ['agenda_item_id'])
    op.create_table(
        'event_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('recording', 'livestream', name='linkkind', native_enum=False,
                                  create_constraint=False, length=20), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('audience', sa.Enum('public', 'registrants', 'sites', name='audience', native_enum=False,
                                      create_constraint=False, length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(AUDIENCE_CHECK, name=op.f('ck_event_links_audience_valid')),
        sa.CheckConstraint("kind IN ('recording', 'livestream')", name=op.f('ck_event_links_kind_valid')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_links_event_id_events'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_links')),
    )
    op.create_index(op.f('ix_event_links_event_id'), 'event_links', ['event_id'])


def downgrade():
    op.drop_index(op.f('ix_event_links_event_id'), table_name='event_links')
    op.drop_table('event_links')
    op.drop_index(op.f('ix_materials_agenda_item_id'), table_name='materials')
    op.drop_index(op.f('ix_materials_event_id'), table_name='materials')
    op.drop_table('materials')
