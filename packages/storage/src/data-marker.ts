// `weir-data.json` marks a directory as a Weir data directory. It is checked on every open, so a
// directory written by a newer Weir, or a marker edited by hand into something else, is refused
// with the file named instead of being opened on a guess.
import { WeirError } from '@weir/protocol'

export const dataMarkerFileName = 'weir-data.json'
const dataFormat = 'weir-data'
const dataFormatVersion = 1
export const dataMarkerText = `${JSON.stringify({ format: dataFormat, version: dataFormatVersion })}\n`

/** Errors: NOT_A_WEIR_LOG naming `path` and what is wrong; UNSUPPORTED_VERSION for a newer format. */
export function checkDataMarker(path: string, bytes: Buffer): void {
  const refuse = (what: string): never => {
    throw new WeirError(
      'NOT_A_WEIR_LOG',
      `${path} ${what}; a Weir data directory's marker is ${dataMarkerText.trim()} (restore it, or point --data-dir elsewhere)`,
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(bytes.toString('utf8'))
  } catch {
    refuse('is not valid JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) refuse('is not a JSON object')
  const { format, version } = parsed as Record<string, unknown>
  if (format !== dataFormat) refuse(`has format ${JSON.stringify(format)}, not "${dataFormat}"`)
  if (!Number.isSafeInteger(version) || (version as number) < 1) {
    refuse(`has version ${JSON.stringify(version)}, not a positive integer`)
  }
  if (version !== dataFormatVersion) {
    throw new WeirError(
      'UNSUPPORTED_VERSION',
      `${path} says data format version ${String(version)}; this build reads version ${dataFormatVersion}: run a newer Weir`,
    )
  }
}
