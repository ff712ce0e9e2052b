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

/**
 * Text that may come from a relay (its answers, NIP-11 fields, messages quoting them) as a
 * Markdown code span on one line, clipped: inside a code span GitHub renders no link,
 * autolink, image, emphasis or HTML, so the relay cannot inject any. A pipe would end a
 * table cell even inside a code span, and a backslash before it can undo the usual `\|`
 * escape, so pipes are shown as `∣` (U+2223); report.json and index.html keep the exact text.
 */
export function markdownCell(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim()
  const clipped = (line.length > max ? `${line.slice(0, max)}…` : line).replace(/\|/g, '∣')
  if (clipped === '') return ''
  const longestRun = Math.max(0, ...(clipped.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longestRun + 1)
  const padded = clipped.startsWith('`') || clipped.endsWith('`') ? ` ${clipped} ` : clipped
  return `${fence}${padded}${fence}`
}
