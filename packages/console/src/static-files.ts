// The page: three files shipped in the package's public/ folder, served from a fixed list (no path
// from the request ever reaches the file system).
import { readFile } from 'node:fs/promises'

const publicFolder = new URL('../public/', import.meta.url)

const files: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
}

export interface StaticFile {
  readonly type: string
  readonly body: Buffer
}

const cache = new Map<string, StaticFile>()

/** The file served at `pathname`, or undefined when there is none. */
export async function staticFile(pathname: string): Promise<StaticFile | undefined> {
  const entry = files[pathname]
  if (entry === undefined) return undefined
  const cached = cache.get(entry.file)
  if (cached !== undefined) return cached
  const loaded = { type: entry.type, body: await readFile(new URL(entry.file, publicFolder)) }
  cache.set(entry.file, loaded)
  return loaded
}
