// Nova's console_auth_tokens: one row per console URL handed out. Only the token's SHA-256 is
// kept, so a database dump gives nobody a console. `expires` is epoch seconds (an integer
// compares the same way on SQLite and PostgreSQL). Where the console is: `host` + `port` for a
// TCP server, or `host` + `unix_socket` for a socket on that compute host (what QEMU serves here).
// No foreign key to nova_instance: a row outliving its server is harmless (its socket is gone) and
// expires like any other.
import type { Kysely, Migration } from 'kysely';

export const consoleAuthTokens: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.createTable('nova_console_auth_token')
      .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('instance_uuid', 'varchar(36)', (c) => c.notNull())
      .addColumn('console_type', 'varchar(255)', (c) => c.notNull())
      .addColumn('host', 'varchar(255)', (c) => c.notNull())
      .addColumn('port', 'integer')
      .addColumn('unix_socket', 'varchar(255)')
      .addColumn('access_url_base', 'varchar(255)', (c) => c.notNull())
      .addColumn('expires', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('nova_console_auth_token_instance').on('nova_console_auth_token').column('instance_uuid').execute();
    await db.schema.createIndex('nova_console_auth_token_expires').on('nova_console_auth_token').column('expires').execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('nova_console_auth_token').execute();
  },
};
