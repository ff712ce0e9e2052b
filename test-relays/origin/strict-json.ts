// A JSON reader that keeps one distinction JSON.parse loses: whether a number was written as an
// integer literal. The origin deserializes events and filters with serde, which refuses `2.0`
// where it wants an integer (kind, created_at, limit) and reads `depth_limit` only when it is an
// unsigned integer literal. Numbers written with a fraction or exponent come back as FloatLiteral.

export class FloatLiteral {
  constructor(readonly value: number) {}
}

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | FloatLiteral
  | JsonValue[]
  | { [key: string]: JsonValue }

export type JsonResult = { ok: true; value: JsonValue } | { ok: false; error: string }

// serde_json's default recursion limit.
const MAX_DEPTH = 128
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y
const WHITESPACE = /[ \t\n\r]*/y

class Reader {
  pos = 0
  constructor(private readonly text: string) {}

  fail(what: string): never {
    throw new SyntaxError(`${what} at position ${this.pos}`)
  }

  skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos
    WHITESPACE.exec(this.text)
    this.pos = WHITESPACE.lastIndex
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail('recursion limit exceeded')
    this.skipWhitespace()
    const c = this.text[this.pos]
    if (c === '{') return this.object(depth)
    if (c === '[') return this.array(depth)
    if (c === '"') return this.string()
    if (c === 't') return this.literal('true', true)
    if (c === 'f') return this.literal('false', false)
    if (c === 'n') return this.literal('null', null)
    return this.number()
  }

  literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('expected value')
    this.pos += word.length
    return value
  }

  number(): number | FloatLiteral {
    NUMBER.lastIndex = this.pos
    const m = NUMBER.exec(this.text)
    if (!m) this.fail('expected value')
    this.pos = NUMBER.lastIndex
    const n = Number(m[0])
    return m[1] !== undefined || m[2] !== undefined ? new FloatLiteral(n) : n
  }

  string(): string {
    const start = this.pos
    let i = start + 1
    for (;;) {
      const c = this.text.charCodeAt(i)
      if (Number.isNaN(c)) this.fail('EOF while parsing a string')
      if (c === 0x22) break
      if (c === 0x5c) i += 2
      else if (c < 0x20) {
        this.pos = i
        this.fail('control character in string')
      } else i += 1
    }
    this.pos = i + 1
    try {
      return JSON.parse(this.text.slice(start, i + 1)) as string
    } catch {
      this.pos = start
      return this.fail('invalid escape')
    }
  }

  array(depth: number): JsonValue[] {
    this.pos += 1
    const out: JsonValue[] = []
    this.skipWhitespace()
    if (this.text[this.pos] === ']') {
      this.pos += 1
      return out
    }
    for (;;) {
      out.push(this.value(depth + 1))
      this.skipWhitespace()
      const c = this.text[this.pos]
      this.pos += 1
      if (c === ']') return out
      if (c !== ',') this.fail('expected `,` or `]`')
    }
  }

  object(depth: number): { [key: string]: JsonValue } {
    this.pos += 1
    const out: { [key: string]: JsonValue } = {}
    this.skipWhitespace()
    if (this.text[this.pos] === '}') {
      this.pos += 1
      return out
    }
    for (;;) {
      this.skipWhitespace()
      if (this.text[this.pos] !== '"') this.fail('key must be a string')
      const key = this.string()
      this.skipWhitespace()
      if (this.text[this.pos] !== ':') this.fail('expected `:`')
      this.pos += 1
      Object.defineProperty(out, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true })
      this.skipWhitespace()
      const c = this.text[this.pos]
      this.pos += 1
      if (c === '}') return out
      if (c !== ',') this.fail('expected `,` or `}`')
    }
  }
}

export function parseStrictJson(text: string): JsonResult {
  const reader = new Reader(text)
  try {
    const value = reader.value(0)
    reader.skipWhitespace()
    if (reader.pos !== text.length) reader.fail('trailing characters')
    return { ok: true, value }
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) }
  }
}

export function isJsonObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof FloatLiteral)
}

/** An unsigned integer written as an integer literal, as serde's u64 reads it. */
export function asUnsignedInteger(v: JsonValue | undefined): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined
}
