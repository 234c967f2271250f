// A small reader of the Prometheus text exposition format (version 0.0.4), for tests: families
// with their TYPE, and samples with their labels and value. Strict on what it reads: a line it
// cannot parse fails the test instead of being skipped.

export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface Exposition {
  /** Family name → counter, gauge, histogram, summary or untyped. */
  readonly types: ReadonlyMap<string, string>
  readonly samples: readonly Sample[]
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>()
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ')
      if (name === undefined || type === undefined) throw new Error(`bad TYPE line: ${line}`)
      types.set(name, type)
      continue
    }
    const match = sampleLine.exec(line)
    if (match === null) throw new Error(`bad sample line: ${line}`)
    const labels: Record<string, string> = {}
    const body = match[2] ?? ''
    labelPair.lastIndex = 0
    while (labelPair.lastIndex < body.length) {
      const pair = labelPair.exec(body)
      if (pair === null) throw new Error(`bad labels in: ${line}`)
      labels[pair[1]!] = pair[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\')
    }
    const raw = match[3]!
    // Prometheus reads values with Go's ParseFloat: "NaN" and "Inf" in any case. prom-client
    // writes an event-loop lag mean with no samples yet as "Nan".
    const word = raw.toLowerCase()
    const value = /^\+?inf$/.test(word) ? Infinity : word === '-inf' ? -Infinity : Number(raw)
    if (Number.isNaN(value) && word !== 'nan') throw new Error(`bad value in: ${line}`)
    samples.push({ name: match[1]!, labels, value })
  }
  return { types, samples }
}

/** The one sample of `name` whose labels include `labels`; throws naming what was there otherwise. */
export function sampleOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  const found = exposition.samples.filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  )
  if (found.length !== 1) {
    const near = exposition.samples
      .filter((sample) => sample.name === name)
      .map((sample) => JSON.stringify(sample.labels))
    throw new Error(
      `${found.length} samples of ${name} ${JSON.stringify(labels)}; there are: ${near.join(' ')}`,
    )
  }
  return found[0]!.value
}
