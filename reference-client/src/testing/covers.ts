/**
 * Requirement metadata for the client's tests. A test names the catalog requirements it
 * checks with `test(name, covers('AP-READ-4'), fn)` (or `{ ...covers(...), timeout }`);
 * vitest carries `meta.requirements` to the `persona-conformance coverage` verb, and
 * requirements.test.ts fails when a testable client requirement has no test.
 */

declare module 'vitest' {
  interface TaskMeta {
    /** Catalog ids (spec/requirements.json) of the client requirements this test checks. */
    requirements?: string[]
  }
}

export function covers(...requirements: string[]): { meta: { requirements: string[] } } {
  return { meta: { requirements } }
}
