"""point_entries: a covering index for a year's sums per member (issue 11)

Revision ID: 0003_point_entries_year_sums
Revises: 0002_residents_search
Create Date: 2026-11-23 09:00:00
"""
from alembic import op

revision = '0003_point_entries_year_sums'
down_revision = '0002_residents_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_point_entries_year_sums', 'point_entries', ['year', 'member_id', 'rule_id', 'voided_at', 'points'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_point_entries_year_sums', table_name='point_entries')
