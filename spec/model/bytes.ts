const encoder = new TextEncoder()

/** Length of a string once encoded as UTF-8 (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8ByteLength(text: string): number {
  return encoder.encode(text).length
}

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text)
}
