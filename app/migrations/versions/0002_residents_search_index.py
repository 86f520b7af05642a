"""residents: a covering index for the search box in 拼音 order (issue 11)

Revision ID: 0002_residents_search
Revises: 0001_baseline
Create Date: 2026-11-23 08:30:00
"""
from alembic import op

revision = '0002_residents_search'
down_revision = '0001_baseline'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_residents_search', 'residents',
        ['unit_id', 'name_pinyin', 'name', 'id', 'status', 'name_initials', 'id_number', 'phone'], unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_residents_search', table_name='residents')
