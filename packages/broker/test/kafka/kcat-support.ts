// kcat (librdkafka's command-line client) for the broker's Kafka tests. CI apt-installs it; a
// machine without it (a newcomer's, with only Node and npm) skips the kcat tests, counted as
// skipped and said so, as the console's browser test does without chromium.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { test } from 'uvu'

/** kcat as CI installs it (apt package `kcat`); `WEIR_KCAT` points elsewhere. */
export const kcatPath = process.env.WEIR_KCAT ?? '/usr/bin/kcat'
export const kcatAvailable = existsSync(kcatPath)

/** `test` when kcat is installed; otherwise the test is skipped with a line saying how to run it. */
export function kcatTest(title: string, body: () => Promise<void>): void {
  if (kcatAvailable) test(title, body)
  else {
    console.log(`skipped: no kcat at ${kcatPath} (apt-get install kcat, or set WEIR_KCAT): ${title}`)
    test.skip(title, body)
  }
}

/** Runs kcat to completion; resolves with its exit code and output. */
export function runKcat(
  args: readonly string[],
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(kcatPath, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.stdin.on('error', () => {}) // kcat may exit before reading it all; its exit code says why
    child.stdin.end(stdin)
    child.once('error', (error) =>
      reject(new Error(`kcat could not run (apt-get install kcat): ${error.message}`)),
    )
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}
