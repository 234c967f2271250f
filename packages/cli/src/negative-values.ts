// parseArgs takes `-1` after `--partitions` for a flag of its own and answers "argument is
// ambiguous"; numbers may be negative, and the range check should be the one to refuse them.
import type { ParseArgsConfig } from 'node:util'

/**
 * Rewrites `--flag -1` as `--flag=-1` for every flag that takes a value, so parseArgs reads a
 * negative number as the value (and the range check can name it) instead of as another flag.
 */
export function attachNegativeValues(
  argv: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
): string[] {
  const takesValue = new Set<string>()
  for (const [name, option] of Object.entries(options)) {
    if (option.type !== 'string') continue
    takesValue.add(`--${name}`)
    if (option.short !== undefined) takesValue.add(`-${option.short}`)
  }
  const out: string[] = []
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!
    const next = argv[index + 1]
    if (argument === '--') {
      out.push(...argv.slice(index))
      break
    }
    if (takesValue.has(argument) && next !== undefined && /^-\d/.test(next)) {
      out.push(argument.startsWith('--') ? `${argument}=${next}` : `${argument}${next}`)
      index++
    } else {
      out.push(argument)
    }
  }
  return out
}
