// Proves the console page end to end in headless Chromium: it shows a topic the test created,
// browses to a produced message (markup in a value stays text: nothing runs, no element appears),
// produces a test message from the form, and shows a group's lag and its chart over time.
// Needs Chromium at /usr/bin/chromium (or WEIR_CHROMIUM); without it the test is skipped, not passed.
import { existsSync } from 'node:fs'
import { Client } from '@weir/client'
import { type ConsoleServer, startConsole } from '@weir/console'
import { type Browser, chromium, type Page } from 'playwright-core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type ConsoleFixture, groupId, markup, startFixture, topic } from './console-fixture.js'

const chromiumPath = process.env.WEIR_CHROMIUM ?? '/usr/bin/chromium'
const title = 'the console shows topics, browses messages safely, produces, and shows group lag in Chromium'

/**
 * What the functions run in the page touch (they are sent as source, so they name globalThis
 * themselves), typed here because this package compiles without the DOM library.
 */
interface PageGlobals {
  readonly document: {
    querySelectorAll(selector: string): { readonly length: number }
    querySelector(selector: string): { getAttribute(name: string): string | null } | null
  }
  readonly __injected?: number
}

let fixture: ConsoleFixture
let server: ConsoleServer
let browser: Browser

async function run(): Promise<void> {
  fixture = await startFixture()
  server = await startConsole({
    listen: '127.0.0.1:0',
    newClient: () => new Client({ brokers: [fixture.running.address], clientId: 'console' }),
  })
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Containers: no user namespaces for the sandbox, no GPU, a small /dev/shm.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  })
  const page = await browser.newPage()
  // Generous: two cores shared with other test runs.
  page.setDefaultTimeout(60_000)
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))

  await page.goto(`${server.url}#/topics`)
  await page.locator('#topics').getByRole('link', { name: topic }).click()
  await page.locator('#partitions').getByRole('link', { name: 'browse' }).click()
  await page.locator('#messages td', { hasText: '"item": "tea"' }).waitFor()
  assert.is(await page.locator('#messages tbody tr').count(), 5)

  await browseMarkupAsText(page)
  await produceFromForm(page)
  await groupLag(page)
  assert.equal(pageErrors, [])
}

async function browseMarkupAsText(page: Page): Promise<void> {
  await page.locator('#browse-form input[name=offset]').fill('4')
  await page.locator('#browse-form select[name=format]').selectOption('text')
  await page.locator('#browse-form button').click()
  const cell = page.locator('#messages tbody tr td').nth(3)
  await page.waitForFunction(
    () => (globalThis as unknown as PageGlobals).document.querySelectorAll('#messages tbody tr').length === 1,
  )
  assert.is(await cell.textContent(), markup)
  assert.is(await page.locator('#messages img').count(), 0)
  assert.is(await page.evaluate(() => typeof (globalThis as unknown as PageGlobals).__injected), 'undefined')
}

async function produceFromForm(page: Page): Promise<void> {
  await page.goto(`${server.url}#/produce?topic=${topic}`)
  await page.locator('#produce-form input[name=key]').fill('from-browser')
  await page.locator('#produce-form textarea[name=value]').fill('hello from the page')
  await page.locator('#produce-form textarea[name=headers]').fill('via=console')
  await page.locator('#produce-form button').click()
  await page.locator('#produce-result', { hasText: `sent to ${topic} partition 0 at offset 5` }).waitFor()
  await page.locator('#produce-result a').click()
  await page.locator('#messages td', { hasText: 'hello from the page' }).waitFor()
  assert.is(await page.locator('#messages tbody tr td').nth(4).textContent(), 'via: console')
}

async function groupLag(page: Page): Promise<void> {
  await page.goto(`${server.url}#/groups`)
  await page.locator('#groups').getByRole('link', { name: groupId }).click()
  // Committed offset 1, log end 6 after the produce above.
  await page.locator('#lag tbody td', { hasText: /^5$/ }).waitFor()
  assert.equal(await page.locator('#lag tbody tr td').allTextContents(), [topic, '0', '1', '6', '5'])
  assert.is(await page.locator('#total-lag').textContent(), '5')
  assert.is(await page.locator('#members tbody tr').count(), 1)
  // The page polls every 3 s while the group is open: the chart's line grows a second point.
  await page.waitForFunction(
    () =>
      (
        (globalThis as unknown as PageGlobals).document
          .querySelector('#lag-chart polyline')
          ?.getAttribute('points') ?? ''
      ).split(' ').length >= 2,
  )
}

if (existsSync(chromiumPath)) {
  test(title, async () => {
    try {
      await run()
    } finally {
      await browser?.close()
      await server?.close()
      await fixture?.close()
    }
  })
} else {
  console.log(`skipped: no chromium at ${chromiumPath} (apt-get install chromium, or set WEIR_CHROMIUM)`)
  test.skip(title, () => {})
}

test.run()
