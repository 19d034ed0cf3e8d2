"""etape_parts: the stored per-step, per-local-day classification (table of classification/models.py)

Written by hand (only this table): the analysis reads it, the classification service fills it.

Revision ID: d5961483c60d
Revises: ff93ded682b3
Create Date: 2026-12-03 19:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd5961483c60d'
down_revision = 'ff93ded682b3'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_MEASURES = ('duration_s', 'distance_m', 'electric_distance_m', 'fuel_l', 'energy_kwh', 'battery_pct_points')


def upgrade() -> None:
    op.create_table(
        'etape_parts',
        sa.Column('id', _ID, nullable=False),
        sa.Column('etape_id', _ID, nullable=False),
        sa.Column('vehicle_id', _ID, nullable=False),
        sa.Column('individu_id', _ID, nullable=True),
        sa.Column('local_date', sa.Date(), nullable=False),
        sa.Column('start_ms', sa.BigInteger(), nullable=False),
        sa.Column('end_ms', sa.BigInteger(), nullable=False),
        sa.Column('variant', sa.SmallInteger(), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        *[sa.Column(f'private_{m}', sa.Float(), nullable=False) for m in _MEASURES],
        *[sa.Column(f'pro_{m}', sa.Float(), nullable=False) for m in _MEASURES],
        sa.Column('customer_id', _ID, nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_etape_parts_customer_id_customers'),
                                ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['etape_id'], ['etapes.id'], name=op.f('fk_etape_parts_etape_id_etapes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['individu_id'], ['individus.id'], name=op.f('fk_etape_parts_individu_id_individus')),
        sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_etape_parts_vehicle_id_vehicles')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_etape_parts')),
    )
    with op.batch_alter_table('etape_parts', schema=None) as batch_op:
        batch_op.create_index('ix_etape_parts_customer_day', ['customer_id', 'variant', 'local_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_etape_parts_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_etape_parts_etape', ['etape_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('etape_parts', schema=None) as batch_op:
        batch_op.drop_index('ix_etape_parts_etape')
        batch_op.drop_index(batch_op.f('ix_etape_parts_customer_id'))
        batch_op.drop_index('ix_etape_parts_customer_day')
    op.drop_table('etape_parts')
