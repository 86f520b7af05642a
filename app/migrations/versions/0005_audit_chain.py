"""操作日志 made tamper-evident (issue 18): hash chain, append-only triggers, operators' baseline digests

Existing entries are chained in id order; then each existing operator gets a 「开始校验」 entry holding the
digest of its role, password hash, activation and grids, so `check` covers operators from here on.
UPDATE and DELETE of audit_entries are refused by triggers (SQLite) or a trigger function (PostgreSQL).
A later migration that copies audit_entries (batch mode on SQLite) must create the triggers again.

Revision ID: 0005_audit_chain
Revises: 0004_blank_village
Create Date: 2026-12-10 12:00:00
"""
import sqlalchemy as sa
from alembic import op

from app.models.base import utcnow
from app.services.access import GRID_KEY
from app.services.audit import DIGEST_KEY, GENESIS, GUARD_CREATE, GUARD_DROP, entry_hash, operator_digest_of

revision = '0005_audit_chain'
down_revision = '0004_blank_village'
branch_labels = None
depends_on = None

# The tables as they stand at this revision (not the ORM models, which follow the newest schema).
entries = sa.table(
    'audit_entries',
    sa.column('id', sa.Integer), sa.column('unit_id', sa.Integer), sa.column('at', sa.DateTime),
    sa.column('operator_id', sa.Integer), sa.column('action', sa.String), sa.column('entity', sa.String),
    sa.column('entity_id', sa.Integer), sa.column('summary', sa.Text), sa.column('detail', sa.JSON),
    sa.column('prev_hash', sa.String), sa.column('hash', sa.String),
)
operators = sa.table(
    'operators',
    sa.column('id', sa.Integer), sa.column('unit_id', sa.Integer), sa.column('username', sa.String),
    sa.column('display_name', sa.String), sa.column('role', sa.String), sa.column('active', sa.Boolean),
    sa.column('password_hash', sa.String),
)
settings = sa.table('settings', sa.column('unit_id', sa.Integer), sa.column('key', sa.String),
                    sa.column('value', sa.JSON))


def _chain_existing(bind: sa.Connection) -> str:
    rows = bind.execute(sa.select(entries).order_by(entries.c.id)).all()
    prev, updates = GENESIS, []
    for r in rows:
        digest = entry_hash(prev, r.unit_id, r.at, r.operator_id, r.action, r.entity, r.entity_id, r.summary,
                            r.detail)
        updates.append({'b_id': r.id, 'b_prev': prev, 'b_hash': digest})
        prev = digest
    if updates:
        bind.execute(
            entries.update().where(entries.c.id == sa.bindparam('b_id'))
            .values(prev_hash=sa.bindparam('b_prev'), hash=sa.bindparam('b_hash')),
            updates,
        )
    return prev


def _operator_baselines(bind: sa.Connection, prev: str) -> None:
    for o in bind.execute(sa.select(operators).order_by(operators.c.id)).all():
        value = bind.scalar(sa.select(settings.c.value).where(
            settings.c.unit_id == o.unit_id, settings.c.key == GRID_KEY.format(o.id)))
        grids = [int(v) for v in value] if isinstance(value, list) else []  # as access.assigned_grids reads it
        row = {
            'unit_id': o.unit_id, 'at': utcnow(), 'operator_id': None, 'action': 'baseline', 'entity': 'operator',
            'entity_id': o.id, 'summary': f'操作日志开始校验：操作员“{o.display_name}”的当前角色、密码与负责网格',
            'detail': {DIGEST_KEY: operator_digest_of(o.username, o.role, o.active, o.password_hash, grids)},
        }
        digest = entry_hash(prev, row['unit_id'], row['at'], None, row['action'], row['entity'], row['entity_id'],
                            row['summary'], row['detail'])
        bind.execute(entries.insert().values(**row, prev_hash=prev, hash=digest))
        prev = digest


def upgrade() -> None:
    with op.batch_alter_table('audit_entries') as batch:
        batch.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
    bind = op.get_bind()
    _operator_baselines(bind, _chain_existing(bind))
    op.create_index('ux_audit_entries_prev_hash', 'audit_entries', ['prev_hash'], unique=True)
    for sql in GUARD_CREATE.get(bind.dialect.name, ()):  # other databases: the chain alone
        op.execute(sql)


def downgrade() -> None:
    for sql in GUARD_DROP.get(op.get_bind().dialect.name, ()):
        op.execute(sql)
    op.drop_index('ux_audit_entries_prev_hash', table_name='audit_entries')
    with op.batch_alter_table('audit_entries') as batch:
        batch.drop_column('hash')
        batch.drop_column('prev_hash')
