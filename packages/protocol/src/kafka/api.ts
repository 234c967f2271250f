// What every Kafka API file exports: its key, the versions this build answers, its first flexible
// version, and the fields of its request and response in the schema grammar (schema.ts).
import type { Field } from './schema.js'

export interface KafkaApi<Request, Response> {
  readonly name: string
  readonly apiKey: number
  readonly versionMin: number
  readonly versionMax: number
  /** First flexible version (compact fields, tagged fields, header v2/v1); undefined: none we speak. */
  readonly flexibleFrom?: number
  readonly request: readonly Field[]
  readonly response: readonly Field[]
  /** Type carriers only, never set: they let decode/encode infer Request and Response. */
  readonly requestType?: Request
  readonly responseType?: Response
}

// biome-ignore lint/suspicious/noExplicitAny: a registry of differently-typed APIs
export type AnyKafkaApi = KafkaApi<any, any>
