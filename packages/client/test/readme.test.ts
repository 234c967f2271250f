// Proves every ```ts snippet of README.md compiles against the client's source with the repository's strict compiler options: a snippet that stops compiling (a renamed option, a removed method) fails here. Each snippet is its own module; names a snippet uses without defining (the application's `handle`, a `client` made earlier) are declared once in the prelude below.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..')

/** What the snippets take as given: the application's own functions and the objects made in earlier snippets. */
const prelude = `
declare const client: import('@weir/client').Client
declare function handle(message: import('@weir/client').Message<unknown>): Promise<void>
declare function handleAll(messages: readonly import('@weir/client').Message<unknown>[]): Promise<void>
`

/** The ```ts blocks of a markdown text, with the line each starts on. */
export function typescriptBlocks(markdown: string): Array<{ line: number; code: string }> {
  const blocks: Array<{ line: number; code: string }> = []
  const lines = markdown.split('\n')
  for (let index = 0; index < lines.length; index++) {
    if (lines[index]!.trim() !== '```ts') continue
    const start = index + 1
    let end = start
    while (end < lines.length && lines[end]!.trim() !== '```') end++
    blocks.push({ line: start + 1, code: lines.slice(start, end).join('\n') })
    index = end
  }
  return blocks
}

/** Type errors of each snippet, as `README.md:<line>: <message>`. */
function compileErrors(markdown: string): string[] {
  const blocks = typescriptBlocks(markdown)
  const files = new Map<string, string>()
  files.set(join(packageDirectory, 'test', 'readme-prelude.d.ts'), prelude)
  const snippetLines = new Map<string, number>()
  blocks.forEach((block, index) => {
    const name = join(packageDirectory, 'test', `readme-snippet-${index}.ts`)
    // `export {}` makes every snippet a module, so top-level await and local names are allowed.
    files.set(name, `${block.code}\nexport {}\n`)
    snippetLines.set(name, block.line)
  })
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    skipLibCheck: true,
    noEmit: true,
    baseUrl: packageDirectory,
    paths: { '@weir/client': ['./src/index.ts'] },
  }
  const host = ts.createCompilerHost(options)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const text = files.get(fileName)
    return text === undefined
      ? getSourceFile(fileName, languageVersion, ...rest)
      : ts.createSourceFile(fileName, text, languageVersion, true)
  }
  const fileExists = host.fileExists.bind(host)
  host.fileExists = (fileName) => files.has(fileName) || fileExists(fileName)
  const readFile = host.readFile.bind(host)
  host.readFile = (fileName) => files.get(fileName) ?? readFile(fileName)
  const program = ts.createProgram([...files.keys()], options, host)
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file === undefined || files.has(diagnostic.file.fileName))
    .map((diagnostic) => {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
      if (diagnostic.file === undefined || diagnostic.start === undefined) return message
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
      const first = snippetLines.get(diagnostic.file.fileName)
      return first === undefined
        ? `${diagnostic.file.fileName}: ${message}`
        : `README.md:${first + line}: ${message}`
    })
}

test('every ts snippet of the README compiles against the source', () => {
  const markdown = readFileSync(join(packageDirectory, 'README.md'), 'utf8')
  assert.ok(typescriptBlocks(markdown).length >= 5, 'the README has its snippets')
  const errors = compileErrors(markdown)
  assert.equal(errors, [], errors.join('\n'))
})

test('a snippet that uses a method the client does not have is reported with its README line', () => {
  const errors = compileErrors(
    "# t\n\n```ts\nimport { Client } from '@weir/client'\nnew Client({ brokers: ['a:1'] }).noSuchMethod()\n```\n",
  )
  assert.is(errors.length, 1, errors.join('\n'))
  assert.match(errors[0]!, /^README\.md:5: Property 'noSuchMethod' does not exist/)
})

test.run()
