// Typed topic descriptors: a topic name tied to its value type and codec, so `producer.send` and
// the messages a consumer yields are checked by the compiler end to end.
import { type Codec, codecs } from './codecs.js'

export interface TopicDescriptor<T> {
  readonly name: string
  readonly codec: Codec<T>
}

/** A topic by name (values use the msgpack codec, typed `unknown`) or by descriptor. */
export type TopicRef<T = unknown> = string | TopicDescriptor<T>

export function defineTopic<T>(options: { name: string; codec?: Codec<T> }): TopicDescriptor<T> {
  return Object.freeze({ name: options.name, codec: options.codec ?? (codecs.msgpack as Codec<T>) })
}

export function resolveTopic<T>(topic: TopicRef<T>): TopicDescriptor<T> {
  return typeof topic === 'string' ? { name: topic, codec: codecs.msgpack as Codec<T> } : topic
}

/** The value type a topic reference carries: `unknown` for plain names. */
export type ValueOf<R> = R extends TopicDescriptor<infer T> ? T : unknown
