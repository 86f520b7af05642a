"""A village from blank (issue 17): 村委会电话, 转出/转入 details of members, members of 功能型党小组

Revision ID: 0004_blank_village
Revises: 0003_point_entries_year_sums
Create Date: 2026-12-03 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_blank_village'
down_revision = '0003_point_entries_year_sums'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('units') as batch:
        batch.add_column(sa.Column('committee_phone', sa.String(length=20), nullable=False, server_default=''))
    with op.batch_alter_table('party_members') as batch:
        batch.add_column(sa.Column('left_to', sa.String(length=100), nullable=False, server_default=''))
        batch.add_column(sa.Column('left_letter_no', sa.String(length=30), nullable=False, server_default=''))
        batch.add_column(sa.Column('arrived_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('arrived_from', sa.String(length=100), nullable=False, server_default=''))
        batch.add_column(sa.Column('arrived_letter_no', sa.String(length=30), nullable=False, server_default=''))
    op.create_table(
        'org_memberships',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('since', sa.Date(), nullable=True),
        sa.Column('until', sa.Date(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.CheckConstraint('until IS NULL OR since IS NULL OR until >= since', name=op.f('ck_org_memberships_until_after_since')),
        sa.ForeignKeyConstraint(['member_id'], ['party_members.id'], name=op.f('fk_org_memberships_member_id_party_members')),
        sa.ForeignKeyConstraint(['org_id'], ['party_orgs.id'], name=op.f('fk_org_memberships_org_id_party_orgs')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_org_memberships')),
    )
    op.create_index(op.f('ix_org_memberships_member_id'), 'org_memberships', ['member_id'], unique=False)
    op.create_index(op.f('ix_org_memberships_org_id'), 'org_memberships', ['org_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_org_memberships_org_id'), table_name='org_memberships')
    op.drop_index(op.f('ix_org_memberships_member_id'), table_name='org_memberships')
    op.drop_table('org_memberships')
    with op.batch_alter_table('party_members') as batch:
        for col in ('arrived_letter_no', 'arrived_from', 'arrived_on', 'left_letter_no', 'left_to'):
            batch.drop_column(col)
    with op.batch_alter_table('units') as batch:
        batch.drop_column('committee_phone')
