// The API's paths, matched to ConsoleApi methods. Pure: a method, a path and a query in, the call
// to make out (or undefined for a path that is not the API's).
import type { ConsoleApi } from './console-api.js'

export type ApiCall = (api: ConsoleApi, body: unknown) => Promise<unknown>

interface Route {
  readonly method: 'GET' | 'POST'
  readonly pattern: RegExp
  readonly call: (parts: readonly string[], query: URLSearchParams) => ApiCall
}

const routes: readonly Route[] = [
  { method: 'GET', pattern: /^\/api\/brokers$/, call: () => (api) => api.brokers() },
  { method: 'GET', pattern: /^\/api\/topics$/, call: () => (api) => api.topics() },
  {
    method: 'GET',
    pattern: /^\/api\/topics\/([^/]+)$/,
    call:
      ([name]) =>
      (api) =>
        api.topic(name!),
  },
  {
    method: 'GET',
    pattern: /^\/api\/topics\/([^/]+)\/messages$/,
    call:
      ([name], query) =>
      (api) =>
        api.messages(name!, query),
  },
  {
    method: 'POST',
    pattern: /^\/api\/topics\/([^/]+)\/messages$/,
    call:
      ([name]) =>
      (api, body) =>
        api.produce(name!, body),
  },
  { method: 'GET', pattern: /^\/api\/groups$/, call: () => (api) => api.groups() },
  {
    method: 'GET',
    pattern: /^\/api\/groups\/([^/]+)$/,
    call:
      ([id]) =>
      (api) =>
        api.group(id!),
  },
]

export type RouteMatch =
  | { readonly kind: 'call'; readonly call: ApiCall; readonly method: 'GET' | 'POST' }
  | { readonly kind: 'wrong-method'; readonly allowed: string }
  | undefined

export function matchRoute(method: string, pathname: string, query: URLSearchParams): RouteMatch {
  const matching = routes.filter((route) => route.pattern.test(pathname))
  if (matching.length === 0) return undefined
  const route = matching.find((candidate) => candidate.method === method)
  if (route === undefined)
    return { kind: 'wrong-method', allowed: matching.map((candidate) => candidate.method).join(', ') }
  const parts = route.pattern.exec(pathname)!.slice(1).map(decodeURIComponent)
  return { kind: 'call', call: route.call(parts, query), method: route.method }
}
