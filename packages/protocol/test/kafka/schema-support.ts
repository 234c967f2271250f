// Test helpers: values for any Kafka message schema at a version (fast-check arbitraries), and a
// projection that keeps only the fields a version carries, with bytes as hex, for comparisons.
import * as fc from 'fast-check'
import type { Field, PrimitiveType } from '../../src/kafka/schema.js'

type Struct = Record<string, unknown>

function within(range: { min: number; max: number } | undefined, version: number): boolean {
  return range !== undefined && version >= range.min && version <= range.max
}

function primitive(type: PrimitiveType): fc.Arbitrary<unknown> {
  switch (type) {
    case 'int8':
      return fc.integer({ min: -128, max: 127 })
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 })
    case 'int32':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
    case 'int64':
      return fc.maxSafeInteger()
    case 'bool':
      return fc.boolean()
    case 'string':
      return fc.string({ unit: 'grapheme', maxLength: 12 })
    case 'bytes':
      return fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes))
    case 'uuid':
      return fc
        .uint8Array({ minLength: 16, maxLength: 16 })
        .map((bytes) => Buffer.from(bytes).toString('hex'))
  }
}

/** Any value the version can carry: only its fields, null only where the version allows it. */
export function arbitraryStruct(fields: readonly Field[], version: number, depth = 0): fc.Arbitrary<Struct> {
  const record: Record<string, fc.Arbitrary<unknown>> = {}
  for (const field of fields) {
    if (!within(field.versions, version)) continue
    const { type } = field
    let value: fc.Arbitrary<unknown>
    if (typeof type === 'string') value = primitive(type)
    else if ('arrayOf' in type) value = fc.array(primitive(type.arrayOf), { maxLength: 3 })
    else value = fc.array(arbitraryStruct(type.fields, version, depth + 1), { maxLength: depth > 1 ? 1 : 2 })
    record[field.name] = within(field.nullable, version) ? fc.option(value, { nil: null }) : value
  }
  return fc.record(record) as fc.Arbitrary<Struct>
}

/** The fields `version` carries, recursively, with Buffers as hex strings. */
export function project(fields: readonly Field[], version: number, value: Struct): Struct {
  const kept: Struct = {}
  for (const field of fields) {
    if (!within(field.versions, version)) continue
    kept[field.name] = projectValue(field, version, value[field.name])
  }
  return kept
}

function projectValue(field: Field, version: number, value: unknown): unknown {
  if (value === null || value === undefined) return value
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex')
  const { type } = field
  if (typeof type === 'object' && Array.isArray(value)) {
    return value.map((item) =>
      'fields' in type
        ? project(type.fields, version, item as Struct)
        : item instanceof Uint8Array
          ? Buffer.from(item).toString('hex')
          : item,
    )
  }
  return value
}
