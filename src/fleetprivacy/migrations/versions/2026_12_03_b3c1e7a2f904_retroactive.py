"""retroactive requests and classification settings (classification issue)

Written by hand (only this issue's changes): retro_requests, customers.retroactive_window_days and
customers.classify_by_start.

Revision ID: b3c1e7a2f904
Revises: 571d1d8eb5c2
Create Date: 2026-12-03 20:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b3c1e7a2f904'
down_revision = '571d1d8eb5c2'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'retro_requests',
        sa.Column('id', _ID, nullable=False),
        sa.Column('etape_id', _ID, nullable=False),
        sa.Column('privacy', sa.Boolean(), nullable=False),
        sa.Column('statut', sa.String(length=10), nullable=False),
        sa.Column('requested_by', _ID, nullable=True),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by', _ID, nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('customer_id', _ID, nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_retro_requests_customer_id_customers'),
                                ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['etape_id'], ['etapes.id'], name=op.f('fk_retro_requests_etape_id_etapes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_retro_requests_requested_by_users')),
        sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_retro_requests_decided_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_retro_requests')),
    )
    with op.batch_alter_table('retro_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retro_requests_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_retro_requests_etape', ['etape_id'], unique=False)
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retroactive_window_days', sa.Integer(), server_default='31', nullable=False))
        batch_op.add_column(sa.Column('classify_by_start', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('classify_by_start')
        batch_op.drop_column('retroactive_window_days')
    with op.batch_alter_table('retro_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_retro_requests_etape')
        batch_op.drop_index(batch_op.f('ix_retro_requests_customer_id'))
    op.drop_table('retro_requests')
