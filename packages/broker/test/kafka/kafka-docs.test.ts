// Proves docs/kafka.md's compatibility table says what the Kafka listener does: one row per Kafka API key from 0 up, every API the registry holds (so ApiVersions advertises) has a row with its name and exactly its versions, every row with versions is registered, and the rows marked planned are exactly the APIs with a codec but no handler. A handler added or removed without its row fails here, naming the row to write.
import { readFileSync } from 'node:fs'
import { Kafka } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { kafkaHandlers } from '../../src/kafka/kafka-handlers.js'

const docPath = new URL('../../../../docs/kafka.md', import.meta.url)
/** The table's header row, however wide the formatter pads its columns. */
const header = /^\|\s*key\s*\|\s*API\s*\|\s*Weir versions\s*\|\s*notes\s*\|$/
/** Kafka's API keys run to 75 in 3.7; the table must cover at least those the issue names (0–68). */
const lastKeyAtLeast = 68

interface Row {
  readonly key: number
  readonly name: string
  readonly versions: string
  readonly notes: string
  readonly line: number
}

/** The rows of the table under `header`, up to the first line that is not a table row. */
export function compatibilityRows(markdown: string): Row[] {
  const lines = markdown.split('\n')
  const start = lines.findIndex((line) => header.test(line))
  if (start < 0)
    throw new Error(
      'docs/kafka.md has no line "| key | API | Weir versions | notes |": the compatibility table\'s header',
    )
  const rows: Row[] = []
  for (let index = start + 2; index < lines.length && lines[index]!.startsWith('|'); index++) {
    const cells = lines[index]!.split('|')
      .slice(1, -1)
      .map((cell) => cell.trim())
    if (cells.length !== 4)
      throw new Error(`docs/kafka.md line ${index + 1}: 4 cells expected, got ${cells.length}`)
    rows.push({
      key: Number(cells[0]),
      name: cells[1]!,
      versions: cells[2]!,
      notes: cells[3]!,
      line: index + 1,
    })
  }
  return rows
}

/** "3–8" (en dash, as written) or "not supported". */
function versionsOf(api: Kafka.AnyKafkaApi): string {
  return `${api.versionMin}–${api.versionMax}`
}

const rows = compatibilityRows(readFileSync(docPath, 'utf8'))
const registered = new Map(kafkaHandlers().map(({ api }) => [api.apiKey, api]))
const codecs = new Map(Kafka.kafkaApis.map((api) => [api.apiKey, api]))

test('one row per Kafka API key, 0 up without a gap, each "A–B" or "not supported"', () => {
  assert.ok(
    rows.length > lastKeyAtLeast,
    `the table stops at key ${rows.length - 1}; list every key up to ${lastKeyAtLeast} at least`,
  )
  rows.forEach((row, index) => {
    assert.is(
      row.key,
      index,
      `docs/kafka.md line ${row.line}: key ${index} expected (one row per key, in order)`,
    )
    assert.ok(
      /^\d+–\d+$/.test(row.versions) || row.versions === 'not supported',
      `docs/kafka.md line ${row.line}: write the versions as "A–B" or "not supported", got "${row.versions}"`,
    )
  })
})

/** Fails once with every problem found, so a merge that registers several APIs is fixed in one pass. */
function assertNone(problems: readonly string[]): void {
  assert.ok(problems.length === 0, `docs/kafka.md disagrees with the Kafka listener:\n${problems.join('\n')}`)
}

test('every registered Kafka API has its row with its name and exactly the versions ApiVersions advertises', () => {
  const problems: string[] = []
  for (const api of registered.values()) {
    const row = rows[api.apiKey]
    if (!row) problems.push(`no row for key ${api.apiKey} (${api.name})`)
    else if (row.name !== api.name)
      problems.push(`line ${row.line}: key ${api.apiKey} is ${api.name}, not ${row.name}`)
    else if (row.versions !== versionsOf(api))
      problems.push(
        `line ${row.line} (${api.name}): the listener advertises ${versionsOf(api)}; write that in the Weir versions column (and drop _planned_)`,
      )
  }
  assertNone(problems)
})

test('every row with versions is registered: the doc promises nothing the listener does not advertise', () => {
  assertNone(
    rows
      .filter(({ versions, key }) => versions !== 'not supported' && !registered.has(key))
      .map(
        (row) =>
          `line ${row.line} says ${row.name} ${row.versions}, but no Kafka handler is registered for key ${row.key}: write "not supported" (or register the handler in kafka-handlers.ts)`,
      ),
  )
})

test('rows marked _planned_ are exactly the APIs with a codec and no handler; codec APIs keep their names', () => {
  const problems: string[] = []
  for (const row of rows) {
    const codec = codecs.get(row.key)
    if (codec && row.name !== codec.name) problems.push(`line ${row.line}: key ${row.key} is ${codec.name}`)
    const planned = codec !== undefined && !registered.has(row.key)
    if (row.notes.startsWith('_planned_') !== planned)
      problems.push(
        planned
          ? `line ${row.line}: ${row.name} has a codec but no handler; start its notes with _planned_`
          : `line ${row.line}: ${row.name} is ${registered.has(row.key) ? 'registered' : 'without a codec'}; drop _planned_ from its notes`,
      )
  }
  assertNone(problems)
})

test.run()
