import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { describe, expect, test } from 'vitest'
import { covers } from '../testing/covers.ts'
import { openRetentionStore } from './index.ts'

describe('local env vars', () => {
  test('live per owner and slug; a set replaces the whole set', covers('AP-STORE-11'), () => {
    const store = openRetentionStore(':memory:')
    const pk = getPublicKey(generateSecretKey())
    const other = getPublicKey(generateSecretKey())
    store.env.set(pk, 'a', { API_KEY: 'secret', MODE: 'x' })
    store.env.set(other, 'a', { TOKEN: 't' })
    expect(store.env.read(pk, 'a')).toEqual({ API_KEY: 'secret', MODE: 'x' })
    expect(store.env.read(pk, 'b')).toEqual({})
    store.env.set(pk, 'a', { MODE: 'y' })
    expect(store.env.read(pk, 'a')).toEqual({ MODE: 'y' })
    expect(store.env.all()).toEqual(
      [
        { pubkey: pk, slug: 'a', name: 'MODE', value: 'y' },
        { pubkey: other, slug: 'a', name: 'TOKEN', value: 't' },
      ].sort((x, y) => x.pubkey.localeCompare(y.pubkey)),
    )
    store.close()
  })
})
