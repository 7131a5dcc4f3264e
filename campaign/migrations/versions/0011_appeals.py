"""Appeals (urgent actions): the appeal, its cases, authorities, sample letters, responses and
the letters supporters report sending

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

New tables only: nothing that exists moves. A case's letters address and its "published" flag
were already there (cases.detention_address, cases.detention_address_public).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('asked', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'open', 'answered', 'closed', name='appealstate', native_enum=False, length=32), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=True),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_appeals_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.create_index('ix_appeals_state_deadline', ['state', 'deadline'], unique=False)

    op.create_table('appeal_cases',
    sa.Column('appeal_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'], name=op.f('fk_appeal_cases_appeal_id_appeals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_appeal_cases_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('appeal_id', 'case_id', name=op.f('pk_appeal_cases'))
    )
    with op.batch_alter_table('appeal_cases', schema=None) as batch_op:
        batch_op.create_index('ix_appeal_cases_case_id', ['case_id'], unique=False)

    op.create_table('appeal_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appeal_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'], name=op.f('fk_appeal_letters_appeal_id_appeals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal_letters')),
    sa.UniqueConstraint('appeal_id', 'language', name='uq_appeal_letters_language'),
    sqlite_autoincrement=True
    )
    op.create_table('appeal_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appeal_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('role', sa.Enum('prosecutor', 'court', 'ministry', 'embassy', 'osce', 'un_body', 'other', name='authorityrole', native_enum=False, length=32), nullable=False),
    sa.Column('postal_address', sa.Text(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'], name=op.f('fk_appeal_targets_appeal_id_appeals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal_targets')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('appeal_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeal_targets_appeal_id'), ['appeal_id'], unique=False)

    op.create_table('letter_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appeal_id', sa.Integer(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('client_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'], name=op.f('fk_letter_reports_appeal_id_appeals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_reports')),
    sa.UniqueConstraint('appeal_id', 'reported_on', 'client_hash', name='uq_letter_reports_client_day'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('letter_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_reports_appeal_id'), ['appeal_id'], unique=False)

    op.create_table('appeal_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appeal_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('acknowledged', 'refused', 'granted', 'partly_granted', 'no_reply', name='responsekind', native_enum=False, length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'], name=op.f('fk_appeal_responses_appeal_id_appeals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_appeal_responses_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_appeal_responses_source_id_sources'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['target_id'], ['appeal_targets.id'], name=op.f('fk_appeal_responses_target_id_appeal_targets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal_responses')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('appeal_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeal_responses_appeal_id'), ['appeal_id'], unique=False)



def downgrade():
    with op.batch_alter_table('appeal_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeal_responses_appeal_id'))

    op.drop_table('appeal_responses')
    with op.batch_alter_table('letter_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_reports_appeal_id'))

    op.drop_table('letter_reports')
    with op.batch_alter_table('appeal_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeal_targets_appeal_id'))

    op.drop_table('appeal_targets')
    op.drop_table('appeal_letters')
    with op.batch_alter_table('appeal_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_appeal_cases_case_id')

    op.drop_table('appeal_cases')
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index('ix_appeals_state_deadline')

    op.drop_table('appeals')
