/**
 * Environment variables that stay on this machine, per (owner, slug): from a legacy
 * personas.json or set locally. They are secrets: never in an event, never printed.
 */

import type { StoreDatabase } from './database.ts'

export interface LocalEnvStore {
  /** Replaces the whole set for the persona. */
  set(pubkey: string, slug: string, env: Record<string, string>): void
  read(pubkey: string, slug: string): Record<string, string>
  /** Every stored value with where it belongs (for `persona doctor`'s secret scan). */
  all(): Array<{ pubkey: string; slug: string; name: string; value: string }>
}

export function createLocalEnvStore(db: StoreDatabase): LocalEnvStore {
  return {
    set(pubkey, slug, env) {
      db.transaction(() => {
        db.prepare('DELETE FROM persona_env WHERE pubkey = ? AND slug = ?').run(pubkey, slug)
        const insert = db.prepare('INSERT INTO persona_env (pubkey, slug, name, value) VALUES (?, ?, ?, ?)')
        for (const [name, value] of Object.entries(env)) insert.run(pubkey, slug, name, value)
      })()
    },

    read(pubkey, slug) {
      const rows = db
        .prepare<[string, string], { name: string; value: string }>('SELECT name, value FROM persona_env WHERE pubkey = ? AND slug = ? ORDER BY name')
        .all(pubkey, slug)
      return Object.fromEntries(rows.map((r) => [r.name, r.value]))
    },

    all() {
      return db.prepare<[], { pubkey: string; slug: string; name: string; value: string }>('SELECT pubkey, slug, name, value FROM persona_env ORDER BY pubkey, slug, name').all()
    },
  }
}
