"""handle history (freed handles stay reserved for their account) and photo file indexes

Revision ID: c4a7d2e91f30
Revises: 7b1e2c4d9a10
Create Date: 2026-12-02 02:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4a7d2e91f30'
down_revision = '7b1e2c4d9a10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('handle_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handle', sa.String(length=30), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('freed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_handle_history_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handle_history'))
    )
    with op.batch_alter_table('handle_history', schema=None) as batch_op:
        batch_op.create_index('ix_handle_history_handle_freed', ['handle', 'freed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_handle_history_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('post_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_photos_filename'), ['filename'], unique=False)
        batch_op.create_index(batch_op.f('ix_post_photos_thumbnail'), ['thumbnail'], unique=False)


def downgrade():
    with op.batch_alter_table('post_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_photos_thumbnail'))
        batch_op.drop_index(batch_op.f('ix_post_photos_filename'))
    with op.batch_alter_table('handle_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handle_history_user_id'))
        batch_op.drop_index('ix_handle_history_handle_freed')
    op.drop_table('handle_history')
