// What `weir produce` reads from its flags and input lines: headers (`-H key=value`, kcat's), a
// line split into key and value at the first key delimiter (`-K :`), a timestamp. Pure: no I/O.
import { UsageError } from './flags.js'

/** `-H k=v` flags as headers; the first `=` splits, so a value may hold more. */
export function parseHeaders(flags: readonly string[] | undefined): Record<string, string> | undefined {
  if (flags === undefined || flags.length === 0) return undefined
  const headers: Record<string, string> = {}
  for (const flag of flags) {
    const at = flag.indexOf('=')
    if (at <= 0) throw new UsageError(`-H takes key=value, got ${JSON.stringify(flag)}`)
    headers[flag.slice(0, at)] = flag.slice(at + 1)
  }
  return headers
}

/**
 * A line as key text and value text. With a delimiter the line splits at its first occurrence;
 * a line without it is a value with the default key (kcat sends it keyless and warns; here the
 * default --key applies, which is the same when none is given).
 */
export function splitLine(
  line: string,
  delimiter: string | undefined,
  defaultKey: string | undefined,
): { readonly key: string | undefined; readonly value: string } {
  if (delimiter !== undefined) {
    const at = line.indexOf(delimiter)
    if (at >= 0) return { key: line.slice(0, at), value: line.slice(at + delimiter.length) }
  }
  return { key: defaultKey, value: line }
}

/** `--timestamp MS` (milliseconds since the epoch) or an ISO datetime. */
export function parseTimestampFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  const ms = /^\d{1,16}$/.test(text)
    ? Number(text)
    : /^\d{4}-\d{2}-\d{2}/.test(text)
      ? Date.parse(text)
      : Number.NaN
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new UsageError(
      `--timestamp must be milliseconds since the epoch or an ISO datetime (2026-01-31T12:00:00Z), got ${JSON.stringify(value)}`,
    )
  return ms
}
