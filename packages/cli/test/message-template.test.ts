// Proves the consume template (kcat -f): every placeholder and escape renders, %% is a percent sign, and an unknown placeholder is a usage error listing the known ones.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UsageError } from '../src/flags.js'
import { parseTemplate, renderTemplate, type TemplateValues } from '../src/message-template.js'

const values: TemplateValues = {
  key: 'k1',
  value: 'v1',
  offset: '42',
  partition: '3',
  timestamp: '1700000000000',
  headers: 'a=1,b=2',
  topic: 'orders',
  keyBytes: '2',
  valueBytes: '2',
}

test('every placeholder renders its field', () => {
  const parts = parseTemplate('%t/%p@%o %T key=%k value=%v headers=%h sizes=%K,%S')
  assert.is(
    renderTemplate(parts, values),
    'orders/3@42 1700000000000 key=k1 value=v1 headers=a=1,b=2 sizes=2,2',
  )
})

test('backslash escapes as typed in a shell, and %% for a percent sign', () => {
  assert.is(renderTemplate(parseTemplate('%k\\t%v\\n'), values), 'k1\tv1\n')
  assert.is(renderTemplate(parseTemplate('100%% \\\\ \\r'), values), '100% \\ \r')
  // A backslash before anything else stays as typed.
  assert.is(renderTemplate(parseTemplate('a\\qb'), values), 'a\\qb')
})

test('an unknown or trailing placeholder is a usage error', () => {
  for (const template of ['%x', 'value %']) {
    assert.throws(
      () => parseTemplate(template),
      (error: Error) =>
        error instanceof UsageError && /unknown placeholder.*%k %v %o %p %T %h %t/.test(error.message),
      template,
    )
  }
})

test.run()
