/** Escaping for XML/HTML text and attributes, and for Markdown table cells. */

export function escapeXml(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      // Characters XML 1.0 cannot carry at all.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
  )
}

export const escapeHtml = escapeXml

/** One line, pipes escaped, clipped: safe inside a Markdown table cell. */
export function markdownCell(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim()
  const clipped = line.length > max ? `${line.slice(0, max)}…` : line
  return clipped.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;')
}
