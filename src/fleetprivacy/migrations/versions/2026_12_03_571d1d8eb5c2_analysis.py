"""analysis: daily and monthly roll-ups of etape_parts (kept by triggers), price settings for costs

Written by hand: only the analysis' own changes.

Revision ID: 571d1d8eb5c2
Revises: d5961483c60d
Create Date: 2026-12-03 19:51:00
"""
from alembic import op
import sqlalchemy as sa


revision = '571d1d8eb5c2'
down_revision = 'd5961483c60d'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_MEASURES = tuple(
    f'{side}_{m}'
    for side in ('private', 'pro')
    for m in ('duration_s', 'distance_m', 'electric_distance_m', 'fuel_l', 'energy_kwh', 'battery_pct_points')
)
# table -> (period column, its value computed from a part row R on SQLite, on PostgreSQL)
_ROLLUPS = {
    'etape_part_days': (
        'epoch_day',
        "CAST(julianday({r}.local_date) - 2440587.5 AS INTEGER)",
        "({r}.local_date - DATE '1970-01-01')",
    ),
    'etape_part_months': (
        'month_epoch_day',
        "CAST(julianday({r}.local_date, 'start of month') - 2440587.5 AS INTEGER)",
        "(CAST(date_trunc('month', {r}.local_date) AS date) - DATE '1970-01-01')",
    ),
}


def _create(table: str, period: str) -> None:
    op.create_table(
        table,
        sa.Column(period, sa.Integer(), nullable=False),
        sa.Column('customer_id', _ID, nullable=False),
        sa.Column('variant', sa.SmallInteger(), nullable=False),
        sa.Column('vehicle_id', _ID, nullable=False),
        sa.Column('individu_id', _ID, nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('n_parts', sa.Integer(), nullable=False),
        *[sa.Column(m, sa.Float(), nullable=False) for m in _MEASURES],
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f(f'fk_{table}_customer_id_customers'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('customer_id', 'variant', period, 'vehicle_id', 'individu_id', 'source',
                                name=op.f(f'pk_{table}')),
        sqlite_with_rowid=False,
    )


def _key(table: str, period_expr: str, r: str) -> str:
    period = _ROLLUPS[table][0]
    return (f"customer_id = {r}.customer_id AND variant = {r}.variant AND {period} = {period_expr.format(r=r)} "
            f"AND vehicle_id = {r}.vehicle_id AND individu_id = COALESCE({r}.individu_id, 0) AND source = {r}.source")


def _add(table: str, period_expr: str, r: str) -> str:
    period = _ROLLUPS[table][0]
    cols = ', '.join(_MEASURES)
    values = ', '.join(f'{r}.{m}' for m in _MEASURES)
    sets = ', '.join(f'{m} = {table}.{m} + excluded.{m}' for m in _MEASURES)
    return (
        f"INSERT INTO {table} (customer_id, variant, {period}, vehicle_id, individu_id, source, n_parts, {cols}) "
        f"VALUES ({r}.customer_id, {r}.variant, {period_expr.format(r=r)}, {r}.vehicle_id, "
        f"COALESCE({r}.individu_id, 0), {r}.source, 1, {values}) "
        f"ON CONFLICT (customer_id, variant, {period}, vehicle_id, individu_id, source) DO UPDATE SET "
        f"n_parts = {table}.n_parts + 1, {sets};"
    )


def _subtract(table: str, period_expr: str, r: str) -> str:
    sets = ', '.join(f'{m} = {m} - {r}.{m}' for m in _MEASURES)
    key = _key(table, period_expr, r)
    # A roll-up row left without parts goes, so no float residue survives as a phantom line.
    return (f"UPDATE {table} SET n_parts = n_parts - 1, {sets} WHERE {key}; "
            f"DELETE FROM {table} WHERE {key} AND n_parts <= 0;")


def _statements(dialect: int, r_old: str, r_new: str) -> tuple[str, str]:
    """(subtract the old row, add the new row) for both roll-ups; dialect 1 = SQLite, 2 = PostgreSQL."""
    sub = ' '.join(_subtract(t, spec[dialect], r_old) for t, spec in _ROLLUPS.items())
    add = ' '.join(_add(t, spec[dialect], r_new) for t, spec in _ROLLUPS.items())
    return sub, add


def _create_triggers() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        sub, add = _statements(1, 'OLD', 'NEW')
        op.execute(f"CREATE TRIGGER etape_parts_rollup_insert AFTER INSERT ON etape_parts BEGIN {add} END")
        op.execute(f"CREATE TRIGGER etape_parts_rollup_delete AFTER DELETE ON etape_parts BEGIN {sub} END")
        op.execute(f"CREATE TRIGGER etape_parts_rollup_update AFTER UPDATE ON etape_parts BEGIN {sub} {add} END")
    else:
        sub, add = _statements(2, 'OLD', 'NEW')
        op.execute(
            "CREATE FUNCTION etape_parts_rollup() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            f"  IF TG_OP IN ('DELETE', 'UPDATE') THEN {sub} END IF;\n"
            f"  IF TG_OP IN ('INSERT', 'UPDATE') THEN {add} END IF;\n"
            "  RETURN NULL;\n"
            "END $$"
        )
        op.execute(
            "CREATE TRIGGER etape_parts_rollup AFTER INSERT OR UPDATE OR DELETE ON etape_parts "
            "FOR EACH ROW EXECUTE FUNCTION etape_parts_rollup()"
        )


def upgrade() -> None:
    for table, (period, _sqlite, _pg) in _ROLLUPS.items():
        _create(table, period)
    _create_triggers()

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fuel_price_per_l', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('electricity_price_per_kwh', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('currency', sa.String(length=3), server_default='EUR', nullable=False))

    with op.batch_alter_table('vehicles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fuel_price_per_l', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('electricity_price_per_kwh', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('vehicles', schema=None) as batch_op:
        batch_op.drop_column('electricity_price_per_kwh')
        batch_op.drop_column('fuel_price_per_l')

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('currency')
        batch_op.drop_column('electricity_price_per_kwh')
        batch_op.drop_column('fuel_price_per_l')

    if op.get_bind().dialect.name == 'sqlite':
        for name in ('insert', 'delete', 'update'):
            op.execute(f"DROP TRIGGER etape_parts_rollup_{name}")
    else:
        op.execute("DROP TRIGGER etape_parts_rollup ON etape_parts")
        op.execute("DROP FUNCTION etape_parts_rollup()")
    op.drop_table('etape_part_months')
    op.drop_table('etape_part_days')
