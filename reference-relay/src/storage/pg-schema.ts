/**
 * The PostgreSQL backend's schema, created or migrated when a relay opens the database.
 * Several relay processes may start at once on one database: the first to take the schema
 * lock creates or migrates, the others wait and then find the version they need.
 *
 * Version 1:
 * - `relay_events`: the stored JSON text with its columns (`address`, `channel` and the
 *   four thread facts, as in the SQLite backend), indexed like SQLite's;
 * - `relay_tags`: single-letter tags with a value, for tag filters;
 * - `relay_commits`: the commit counter (one row); each batch transaction increments it
 *   last, so batches commit in the order of their numbers (see pg-store.ts);
 * - `relay_live`: what each batch fans out, by commit number, read back by relay processes
 *   whose listener missed notifications; kept for a retention time (`relay_live_pruned`
 *   records up to which commit rows were removed);
 * - `relay_schema`: the version.
 *
 * Version 2: `relay_settings`, recording the rule set the database's events were decided by
 * (storage/rules-record.ts; the open mode or origin mode), settled under the schema lock.
 *
 * Version 3: `relay_removed`, the id and author of each event origin mode removed (a
 * superseded version, a deleted event), which its decisions still count as held
 * (WriteRules.keepsRemoved); the open mode never writes or reads it. An origin-mode database
 * of version 2 gets the `e` targets of its stored deletions that are no longer stored (each
 * was held by the deletion's author, as origin mode requires); the superseded versions and
 * `a`-deleted versions it removed before are gone.
 */

import type pg from 'pg'
import { KeyChars, type Tables } from './pg-sql.ts'
import { settleRules } from './rules-record.ts'
import type { WriteRulesName } from './write-rules.ts'

/** A database whose events another mode decided (its message is the whole `error:` text). */
export class RulesRefusal extends Error {}

export const PgSchemaVersion = 3

/** The advisory lock (session level) held while the schema is created or migrated. */
const SchemaLockKey = '8314046366934404145' // any fixed 64-bit value

function createVersion1(t: Tables): string {
  const k = KeyChars
  return `
CREATE TABLE ${t.events} (
  seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id               text COLLATE "C" NOT NULL UNIQUE,
  pubkey           text COLLATE "C" NOT NULL,
  created_at       bigint NOT NULL,
  kind             integer NOT NULL,
  address          text COLLATE "C",
  channel          text COLLATE "C",
  raw              text NOT NULL,
  thread_root      text COLLATE "C",
  thread_parent    text COLLATE "C",
  thread_depth     integer,
  thread_broadcast boolean
);
CREATE INDEX relay_events_created ON ${t.events} (created_at DESC, id);
CREATE INDEX relay_events_pubkey ON ${t.events} (pubkey, created_at DESC, id);
CREATE INDEX relay_events_kind ON ${t.events} (kind, created_at DESC, id);
CREATE INDEX relay_events_pubkey_kind ON ${t.events} (pubkey, kind, created_at DESC, id);
CREATE INDEX relay_events_address ON ${t.events} (left(address, ${k})) WHERE address IS NOT NULL;
CREATE INDEX relay_events_channel ON ${t.events} (left(channel, ${k}), created_at DESC, id) WHERE channel IS NOT NULL;
CREATE INDEX relay_events_thread ON ${t.events} (thread_root, thread_depth, created_at, id) WHERE thread_root IS NOT NULL;
CREATE TABLE ${t.tags} (
  seq   bigint NOT NULL,
  name  text COLLATE "C" NOT NULL,
  value text COLLATE "C" NOT NULL
);
CREATE INDEX relay_tags_lookup ON ${t.tags} (name, left(value, ${k}), seq);
CREATE INDEX relay_tags_seq ON ${t.tags} (seq);
CREATE TABLE ${t.commits} (
  id integer PRIMARY KEY CHECK (id = 1),
  n  bigint NOT NULL
);
INSERT INTO ${t.commits} (id, n) VALUES (1, 0);
CREATE TABLE ${t.live} (
  commit bigint NOT NULL,
  pos    integer NOT NULL,
  origin text NOT NULL,
  raw    text NOT NULL,
  at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (commit, pos)
);
CREATE INDEX relay_live_at ON ${t.live} (at);
CREATE TABLE ${t.livePruned} (
  id      integer PRIMARY KEY CHECK (id = 1),
  through bigint NOT NULL
);
INSERT INTO ${t.livePruned} (id, through) VALUES (1, 0);
`
}

/** Migrations from version N to N + 1, by N. Version 1 is the first. */
const Migrations: Record<number, (t: Tables) => string> = {
  1: (t) => `CREATE TABLE ${t.settings} (name text COLLATE "C" PRIMARY KEY, value text NOT NULL);`,
  2: (t) =>
    `CREATE TABLE ${t.removed} (id text COLLATE "C" PRIMARY KEY, pubkey text COLLATE "C" NOT NULL); ` +
    `INSERT INTO ${t.removed} (id, pubkey) SELECT DISTINCT ON (lower(g.value)) lower(g.value), e.pubkey FROM ${t.tags} g JOIN ${t.events} e ON e.seq = g.seq ` +
    `WHERE g.name = 'e' AND e.kind = 5 AND g.value ~ '^[0-9a-fA-F]{64}$' ` +
    `AND EXISTS (SELECT 1 FROM ${t.settings} s WHERE s.name = 'rules' AND s.value = 'origin') ` +
    `AND NOT EXISTS (SELECT 1 FROM ${t.events} x WHERE x.id = lower(g.value));`,
}

/**
 * Creates the schema or brings it to PgSchemaVersion, then settles the rule set
 * (storage/rules-record.ts), in one transaction under a session advisory lock. Refuses a
 * database whose schema is newer than this relay's, or whose events another mode decided.
 */
export async function ensureSchema(client: pg.ClientBase, t: Tables, rules: { wanted: WriteRulesName; label: string }): Promise<void> {
  await client.query(`SELECT pg_advisory_lock(${SchemaLockKey})`)
  try {
    await client.query('BEGIN')
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${t.schema}"`)
    await client.query(`CREATE TABLE IF NOT EXISTS ${t.version} (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)`)
    const found = await client.query<{ version: number }>(`SELECT version FROM ${t.version} WHERE id = 1`)
    let version = found.rows[0]?.version ?? 0
    if (version > PgSchemaVersion) {
      throw new Error(`error: the database has relay schema version ${version}, newer than this relay's ${PgSchemaVersion}`)
    }
    if (version === 0) {
      await client.query(createVersion1(t))
      version = 1
    }
    for (; version < PgSchemaVersion; version++) {
      const step = Migrations[version]
      if (step === undefined) throw new Error(`error: no migration from relay schema version ${version}`)
      await client.query(step(t))
    }
    await client.query(
      `INSERT INTO ${t.version} (id, version) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version`,
      [PgSchemaVersion],
    )
    const recorded = await client.query<{ value: string }>(`SELECT value FROM ${t.settings} WHERE name = 'rules'`)
    const events = await client.query(`SELECT 1 FROM ${t.events} LIMIT 1`)
    const settled = settleRules(recorded.rows[0]?.value ?? null, events.rows.length > 0, rules.wanted, rules.label)
    if (!settled.ok) throw new RulesRefusal(settled.message)
    await client.query(
      `INSERT INTO ${t.settings} (name, value) VALUES ('rules', $1) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
      [settled.record],
    )
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${SchemaLockKey})`).catch(() => {})
  }
}
