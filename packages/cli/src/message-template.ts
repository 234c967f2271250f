// `weir consume --template`: kcat's -f output format. Parsed once (bad placeholders are a usage
// error before anything connects), rendered per message. Pure: no I/O.
//   %k key  %v value  %o offset  %p partition  %T timestamp (ms)  %h headers (k=v,k2=v2)  %t topic
//   %K key bytes  %S value bytes  %%  a percent sign;  \n \t \r \\ escapes
import { UsageError } from './flags.js'

export const templateFields = {
  k: 'key',
  v: 'value',
  o: 'offset',
  p: 'partition',
  T: 'timestamp',
  h: 'headers',
  t: 'topic',
  K: 'keyBytes',
  S: 'valueBytes',
} as const

export type TemplateField = (typeof templateFields)[keyof typeof templateFields]
export type TemplatePart = { readonly text: string } | { readonly field: TemplateField }

/** One message's fields as text, already rendered in the key and value formats. */
export type TemplateValues = Record<TemplateField, string>

const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\' }

export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = []
  let text = ''
  for (let index = 0; index < template.length; index++) {
    const char = template[index]!
    const next = template[index + 1]
    if (char === '\\' && next !== undefined && next in escapes) {
      text += escapes[next]
      index++
    } else if (char === '%') {
      if (next === '%') text += '%'
      else if (next !== undefined && Object.hasOwn(templateFields, next)) {
        if (text !== '') parts.push({ text })
        text = ''
        parts.push({ field: templateFields[next as keyof typeof templateFields] })
      } else {
        throw new UsageError(
          `--template has an unknown placeholder ${JSON.stringify(`%${next ?? ''}`)}: use %k %v %o %p %T %h %t %K %S or %% for a percent sign`,
        )
      }
      index++
    } else {
      text += char
    }
  }
  if (text !== '') parts.push({ text })
  return parts
}

export function renderTemplate(parts: readonly TemplatePart[], values: TemplateValues): string {
  let out = ''
  for (const part of parts) out += 'text' in part ? part.text : values[part.field]
  return out
}
