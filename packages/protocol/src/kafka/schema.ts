// A small grammar for Kafka message bodies, so each API file states its fields once (as the Kafka
// protocol guide does) and one tested walker reads and writes every version of every API.
//
// A field lives in a version range ("3+", "0-2", "4"); outside it the field is not on the wire
// and decodes to its default. A nullable range says in which versions null may be sent. From the
// message's first flexible version on, strings, bytes and arrays use the compact forms (unsigned
// varint length + 1) and every structure ends with a tagged-field section (unknown tags skipped).
import { WeirError } from '../weir-error.js'
import type { KafkaReader } from './reader.js'
import type { KafkaWriter } from './writer.js'

export type PrimitiveType = 'int8' | 'int16' | 'int32' | 'int64' | 'bool' | 'string' | 'bytes' | 'uuid'

/** Inclusive version bounds; `max` absent means "and every later version". */
export interface VersionRange {
  readonly min: number
  readonly max: number
}

export interface Field {
  readonly name: string
  readonly versions: VersionRange
  readonly nullable?: VersionRange
  /** A primitive, an array of a primitive (`{ arrayOf }`) or an array of structures (`{ fields }`). */
  readonly type: PrimitiveType | { readonly arrayOf: PrimitiveType } | { readonly fields: readonly Field[] }
  /** Value decoded when the version does not carry the field; else the type's zero (0, '', false, []). */
  readonly default?: unknown
}

export interface MessageSchema {
  readonly fields: readonly Field[]
  /** First flexible version, or undefined when no version this build speaks is flexible. */
  readonly flexibleFrom?: number
}

export type Struct = Record<string, unknown>

const versionMaxUnbounded = 0x7fff

/** "3+", "0-2" or "4", as the Kafka message definitions write them. */
export function versions(text: string): VersionRange {
  const match = /^(\d+)(\+|-(\d+))?$/.exec(text)
  if (match === null) throw new Error(`bad version range ${text}`)
  const min = Number(match[1])
  if (match[2] === '+') return { min, max: versionMaxUnbounded }
  if (match[3] !== undefined) return { min, max: Number(match[3]) }
  return { min, max: min }
}

interface FieldOptions {
  readonly nullable?: string
  readonly default?: unknown
}

/** A field: `field('throttleTimeMs', 'int32', '1+')`. */
export function field(name: string, type: Field['type'], range: string, options: FieldOptions = {}): Field {
  return {
    name,
    versions: versions(range),
    type,
    ...(options.nullable === undefined ? {} : { nullable: versions(options.nullable) }),
    ...(options.default === undefined ? {} : { default: options.default }),
  }
}

/** An array of structures: `array('topics', '0+', [field(...), ...])`. */
export function array(
  name: string,
  range: string,
  fields: readonly Field[],
  options: FieldOptions = {},
): Field {
  return field(name, { fields }, range, options)
}

function within(range: VersionRange | undefined, version: number): boolean {
  return range !== undefined && version >= range.min && version <= range.max
}

export function isFlexible(schema: MessageSchema, version: number): boolean {
  return schema.flexibleFrom !== undefined && version >= schema.flexibleFrom
}

function zeroOf(type: Field['type']): unknown {
  if (typeof type !== 'string') return []
  if (type === 'string') return ''
  if (type === 'bytes') return Buffer.alloc(0)
  if (type === 'bool') return false
  if (type === 'uuid') return '0'.repeat(32)
  return 0
}

function defaultOf(field: Field): unknown {
  return field.default !== undefined ? field.default : zeroOf(field.type)
}

// ---- decoding ---------------------------------------------------------------------------------

export function decodeMessage(schema: MessageSchema, version: number, reader: KafkaReader): Struct {
  return readStruct(schema.fields, version, isFlexible(schema, version), reader)
}

function readStruct(
  fields: readonly Field[],
  version: number,
  flexible: boolean,
  reader: KafkaReader,
): Struct {
  const value: Struct = {}
  for (const field of fields) {
    value[field.name] = within(field.versions, version)
      ? readField(field, version, flexible, reader)
      : defaultOf(field)
  }
  if (flexible) reader.skipTaggedFields()
  return value
}

function readField(field: Field, version: number, flexible: boolean, reader: KafkaReader): unknown {
  const nullable = within(field.nullable, version)
  const { type } = field
  if (typeof type === 'string') return readPrimitive(type, field.name, nullable, flexible, reader)
  const count = flexible ? reader.compactArrayLength() : reader.arrayLength()
  if (count === null) {
    if (!nullable) throw nullInvalid(field.name, reader)
    return null
  }
  const items: unknown[] = new Array(count)
  for (let index = 0; index < count; index++) {
    items[index] =
      'arrayOf' in type
        ? readPrimitive(type.arrayOf, field.name, false, flexible, reader)
        : readStruct(type.fields, version, flexible, reader)
  }
  return items
}

function readPrimitive(
  type: PrimitiveType,
  name: string,
  nullable: boolean,
  flexible: boolean,
  reader: KafkaReader,
): unknown {
  switch (type) {
    case 'int8':
      return reader.int8()
    case 'int16':
      return reader.int16()
    case 'int32':
      return reader.int32()
    case 'int64':
      return reader.int64()
    case 'bool':
      return reader.boolean()
    case 'uuid':
      return reader.uuid()
    case 'string': {
      const value = flexible ? reader.compactNullableString() : reader.nullableString()
      if (value === null && !nullable) throw nullInvalid(name, reader)
      return value
    }
    case 'bytes': {
      const value = flexible ? reader.compactNullableBytes() : reader.nullableBytes()
      if (value === null && !nullable) throw nullInvalid(name, reader)
      return value
    }
  }
}

function nullInvalid(name: string, reader: KafkaReader): WeirError {
  return new WeirError(
    'INVALID_REQUEST',
    `Kafka field ${name} is null (before byte ${reader.position}) but this version does not allow null`,
  )
}

// ---- encoding ---------------------------------------------------------------------------------

export function encodeMessage(
  schema: MessageSchema,
  version: number,
  value: object,
  writer: KafkaWriter,
): void {
  writeStruct(schema.fields, version, isFlexible(schema, version), value as Struct, writer)
}

function writeStruct(
  fields: readonly Field[],
  version: number,
  flexible: boolean,
  value: Struct,
  writer: KafkaWriter,
): void {
  for (const field of fields) {
    if (!within(field.versions, version)) continue
    const fieldValue = value[field.name] === undefined ? defaultOf(field) : value[field.name]
    writeField(field, version, flexible, fieldValue, writer)
  }
  if (flexible) writer.emptyTaggedFields()
}

function writeField(
  field: Field,
  version: number,
  flexible: boolean,
  value: unknown,
  writer: KafkaWriter,
): void {
  const { type } = field
  if (value === null && !within(field.nullable, version)) {
    throw new TypeError(`field ${field.name} is null but version ${version} does not allow null`)
  }
  if (typeof type === 'string') {
    writePrimitive(type, field.name, flexible, value, writer)
    return
  }
  const items = value as readonly unknown[] | null
  if (flexible) writer.compactArrayLength(items === null ? null : items.length)
  else writer.arrayLength(items === null ? null : items.length)
  if (items === null) return
  for (const item of items) {
    if ('arrayOf' in type) writePrimitive(type.arrayOf, field.name, flexible, item, writer)
    else writeStruct(type.fields, version, flexible, item as Struct, writer)
  }
}

function writePrimitive(
  type: PrimitiveType,
  name: string,
  flexible: boolean,
  value: unknown,
  writer: KafkaWriter,
): void {
  const expect = (kind: string, ok: boolean): void => {
    if (!ok) throw new TypeError(`field ${name} must be ${kind}, got ${typeof value}`)
  }
  switch (type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
      expect('an integer', Number.isInteger(value))
      writer[type](value as number)
      return
    case 'bool':
      expect('a boolean', typeof value === 'boolean')
      writer.boolean(value as boolean)
      return
    case 'uuid':
      expect('a hex string', typeof value === 'string')
      writer.uuid(value as string)
      return
    case 'string':
      expect('a string', value === null || typeof value === 'string')
      if (flexible) writer.compactNullableString(value as string | null)
      else writer.nullableString(value as string | null)
      return
    case 'bytes':
      expect('bytes', value === null || value instanceof Uint8Array)
      if (flexible) writer.compactNullableBytes(value as Uint8Array | null)
      else writer.nullableBytes(value as Uint8Array | null)
      return
  }
}
