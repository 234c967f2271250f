// The console page: a hash router over five views, each fetching the console's JSON API.
// Every value from the cluster reaches the page as a text node or an attribute set from code
// (never innerHTML): message keys, values and headers are whatever a producer wrote.

const view = document.getElementById('view')
const errorBox = document.getElementById('error')
/** The group view polls while open; any route change stops it. */
let pollTimer
const groupPollMs = 3000

/** An element with attributes (functions become listeners) and children (strings become text). */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value)
    else if (value !== undefined && value !== null && value !== false)
      element.setAttribute(name, String(value))
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue
    element.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
  return element
}

function table(id, headings, rows) {
  return h(
    'table',
    { id },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headings.map((heading) => h('th', {}, heading)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((cells) =>
        h(
          'tr',
          {},
          cells.map((cell) => (cell instanceof Node && cell.tagName === 'TD' ? cell : h('td', {}, cell))),
        ),
      ),
    ),
  )
}

async function api(path, init) {
  const response = await fetch(path, init)
  const body = await response.json()
  if (!response.ok) throw new Error(`${body.error.code}: ${body.error.message}`)
  return body
}

function showError(error) {
  errorBox.hidden = error === undefined
  errorBox.textContent = error === undefined ? '' : String(error.message ?? error)
}

function link(hash, text) {
  return h('a', { href: hash }, text)
}

const routes = [
  [/^#\/brokers$/, brokersView],
  [/^#\/topics$/, topicsView],
  [/^#\/topics\/([^/?]+)$/, topicView],
  [/^#\/browse(?:\?(.*))?$/, browseView],
  [/^#\/groups$/, groupsView],
  [/^#\/groups\/([^/?]+)$/, groupView],
  [/^#\/produce(?:\?(.*))?$/, produceView],
]

async function route() {
  clearTimeout(pollTimer)
  const hash = location.hash || '#/brokers'
  for (const anchor of document.querySelectorAll('nav a'))
    anchor.classList.toggle('current', hash.startsWith(anchor.getAttribute('href')))
  const match = routes.map(([pattern, render]) => [pattern.exec(hash), render]).find(([found]) => found)
  if (!match) return void (location.hash = '#/brokers')
  showError(undefined)
  try {
    const rendered = await match[1](
      ...match[0].slice(1).map((part) => (part === undefined ? '' : decodeURIComponent(part))),
    )
    if (location.hash === hash || (hash === '#/brokers' && !location.hash))
      view.replaceChildren(...[rendered].flat())
  } catch (error) {
    showError(error)
  }
}

async function brokersView() {
  const { controllerId, brokers } = await api('/api/brokers')
  return [
    h('h2', {}, 'Brokers'),
    table(
      'brokers',
      ['id', 'address', 'state', 'last heartbeat', 'controller'],
      brokers.map((broker) => [
        String(broker.id),
        `${broker.host}:${broker.port}`,
        h(
          'td',
          { class: broker.state === 'alive' ? 'good' : 'bad' },
          broker.state === 'catching-up' ? `catching up ${broker.progressPercent}%` : broker.state,
        ),
        broker.lastHeartbeatMs < 0 ? 'never' : `${broker.lastHeartbeatMs} ms ago`,
        broker.id === controllerId ? 'yes' : '',
      ]),
    ),
  ]
}

async function topicsView() {
  const { topics } = await api('/api/topics')
  return [
    h('h2', {}, 'Topics'),
    table(
      'topics',
      ['topic', 'partitions', 'messages', 'under-replicated'],
      topics.map((topic) => [
        link(`#/topics/${encodeURIComponent(topic.name)}`, topic.name),
        String(topic.partitions ?? ''),
        String(topic.messages ?? ''),
        h('td', { class: topic.underReplicated > 0 ? 'bad' : '' }, String(topic.underReplicated ?? '')),
      ]),
    ),
  ]
}

async function topicView(name) {
  const topic = await api(`/api/topics/${encodeURIComponent(name)}`)
  const config = Object.entries(topic.config)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ')
  return [
    h('h2', {}, `Topic ${topic.topic}`),
    h('p', { class: 'muted' }, `config: ${config || '(broker defaults)'}`),
    table(
      'partitions',
      ['partition', 'leader', 'replicas', 'ISR', 'log start', 'high watermark', ''],
      topic.partitions.map((partition) => [
        String(partition.partition),
        String(partition.leader),
        partition.replicas.join(', '),
        h(
          'td',
          { class: partition.isr && partition.isr.length < partition.replicas.length ? 'bad' : '' },
          partition.isr ? partition.isr.join(', ') : '-',
        ),
        String(partition.logStartOffset),
        String(partition.highWatermark),
        link(
          `#/browse?${new URLSearchParams({ topic: topic.topic, partition: partition.partition, offset: partition.logStartOffset })}`,
          'browse',
        ),
      ]),
    ),
  ]
}

const formats = ['msgpack', 'json', 'text', 'hex']

async function browseView(queryText) {
  const query = new URLSearchParams(queryText)
  const { topics } = await api('/api/topics')
  const field = (label, input) => h('label', {}, label, input)
  const form = h(
    'form',
    {
      id: 'browse-form',
      onsubmit: (event) => {
        event.preventDefault()
        const wanted = new URLSearchParams()
        for (const [key, value] of new FormData(form)) if (value !== '') wanted.set(key, value)
        location.hash = `#/browse?${wanted}`
      },
    },
    field(
      'topic',
      h(
        'select',
        { name: 'topic' },
        topics.map((topic) =>
          h('option', { value: topic.name, selected: topic.name === query.get('topic') }, topic.name),
        ),
      ),
    ),
    field(
      'partition',
      h('input', { name: 'partition', type: 'number', min: 0, value: query.get('partition') ?? 0 }),
    ),
    field('offset', h('input', { name: 'offset', type: 'number', min: 0, value: query.get('offset') ?? '' })),
    field(
      'or from time (ISO 8601 or ms)',
      h('input', {
        name: 'timestamp',
        value: query.get('timestamp') ?? '',
        placeholder: '2026-12-04T10:00:00Z',
      }),
    ),
    field(
      'limit',
      h('input', { name: 'limit', type: 'number', min: 1, max: 500, value: query.get('limit') ?? 20 }),
    ),
    field(
      'values as',
      h(
        'select',
        { name: 'format' },
        formats.map((format) =>
          h('option', { value: format, selected: format === (query.get('format') ?? 'msgpack') }, format),
        ),
      ),
    ),
    h('button', { type: 'submit' }, 'Browse'),
  )
  const parts = [h('h2', {}, 'Messages'), form]
  if (!query.get('topic')) return parts
  const apiQuery = new URLSearchParams(query)
  apiQuery.delete('topic')
  const result = await api(`/api/topics/${encodeURIComponent(query.get('topic'))}/messages?${apiQuery}`)
  parts.push(
    h(
      'p',
      { class: 'muted' },
      `partition ${result.partition}: offsets ${result.logStartOffset} to ${result.highWatermark - 1}, reading from ${result.startOffset}${result.complete ? '' : ' (time limit reached: partial)'}`,
    ),
    table(
      'messages',
      ['offset', 'timestamp', 'key', 'value', 'headers'],
      result.messages.map((message) => [
        String(message.offset),
        new Date(message.timestamp).toISOString(),
        bytesCell(message.key),
        bytesCell(message.value),
        h(
          'td',
          { class: 'bytes' },
          message.headers.map((header) => `${header.name}: ${header.value.text ?? '(null)'}`).join('\n'),
        ),
      ]),
    ),
  )
  return parts
}

function bytesCell(formatted) {
  const text = formatted.text === null ? '(null)' : formatted.text
  const notes = [
    formatted.error,
    formatted.truncated ? `first bytes of ${formatted.bytes}` : undefined,
  ].filter(Boolean)
  return h(
    'td',
    { class: 'bytes' },
    text,
    notes.length > 0 ? h('div', { class: 'bad' }, notes.join('; ')) : undefined,
  )
}

async function groupsView() {
  const { groups } = await api('/api/groups')
  return [
    h('h2', {}, 'Consumer groups'),
    table(
      'groups',
      ['group', 'state', 'type'],
      groups.map((group) => [
        link(`#/groups/${encodeURIComponent(group.groupId)}`, group.groupId),
        group.state,
        group.protocolType || '(offsets only)',
      ]),
    ),
  ]
}

async function groupView(groupId) {
  const hash = location.hash
  const group = await api(`/api/groups/${encodeURIComponent(groupId)}`)
  pollTimer = setTimeout(() => {
    if (location.hash === hash) void route()
  }, groupPollMs)
  const totalLag = group.offsets.reduce((sum, offset) => sum + (offset.lag ?? 0), 0)
  return [
    h('h2', {}, `Group ${group.groupId}`),
    h(
      'p',
      {},
      `state ${group.state}, generation ${group.generationId}, assignor ${group.protocol || '-'}, total lag `,
      h('strong', { id: 'total-lag' }, String(totalLag)),
    ),
    h('h3', {}, 'Members'),
    table(
      'members',
      ['member', 'client', 'host', 'assignment'],
      group.members.map((member) => [
        member.memberId,
        member.clientId,
        member.host,
        member.assignment.map((entry) => `${entry.topic}-${entry.partition}`).join(', '),
      ]),
    ),
    h('h3', {}, 'Lag per partition'),
    table(
      'lag',
      ['topic', 'partition', 'committed', 'log end', 'lag'],
      group.offsets.map((offset) => [
        offset.topic,
        String(offset.partition),
        offset.committedOffset < 0 ? '-' : String(offset.committedOffset),
        String(offset.logEndOffset),
        offset.lag === null ? '-' : String(offset.lag),
      ]),
    ),
    h('h3', {}, 'Total lag over time'),
    lagChart(group.lagHistory),
  ]
}

const svgNamespace = 'http://www.w3.org/2000/svg'

function svg(tag, attributes = {}, text) {
  const element = document.createElementNS(svgNamespace, tag)
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value))
  if (text !== undefined) element.textContent = text
  return element
}

/** A line of total lag against time, scaled to the samples so far. */
function lagChart(samples) {
  const width = 600
  const height = 160
  const pad = 30
  const chart = svg('svg', {
    class: 'chart',
    id: 'lag-chart',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
  })
  if (samples.length === 0) return chart
  const first = samples[0].atMs
  const spanMs = Math.max(samples[samples.length - 1].atMs - first, 1)
  const lagMax = Math.max(...samples.map((sample) => sample.totalLag), 1)
  const points = samples.map((sample) => {
    const x = pad + ((sample.atMs - first) / spanMs) * (width - 2 * pad)
    const y = height - pad - (sample.totalLag / lagMax) * (height - 2 * pad)
    return `${x.toFixed(1)},${y.toFixed(1)}`
  })
  chart.append(
    svg('polyline', { points: points.join(' ') }),
    svg('text', { x: 4, y: pad }, String(lagMax)),
    svg('text', { x: 4, y: height - pad }, '0'),
    svg('text', { x: pad, y: height - 8 }, `${Math.round(spanMs / 1000)} s, ${samples.length} samples`),
  )
  return chart
}

async function produceView(queryText) {
  const query = new URLSearchParams(queryText)
  const { topics } = await api('/api/topics')
  const result = h('p', { id: 'produce-result' })
  const field = (label, input) => h('label', {}, label, input)
  const form = h(
    'form',
    {
      class: 'column',
      id: 'produce-form',
      onsubmit: async (event) => {
        event.preventDefault()
        const data = new FormData(form)
        const headers = {}
        for (const line of String(data.get('headers')).split('\n')) {
          const at = line.indexOf('=')
          if (line.trim() !== '')
            headers[at < 0 ? line.trim() : line.slice(0, at).trim()] = at < 0 ? '' : line.slice(at + 1)
        }
        const partition = String(data.get('partition'))
        try {
          const sent = await api(`/api/topics/${encodeURIComponent(String(data.get('topic')))}/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              key: String(data.get('key')),
              value: String(data.get('value')),
              format: String(data.get('format')),
              headers,
              ...(partition === '' ? {} : { partition: Number(partition) }),
            }),
          })
          showError(undefined)
          result.replaceChildren(
            `sent to ${sent.topic} partition ${sent.partition} at offset ${sent.offset} `,
            link(
              `#/browse?${new URLSearchParams({ topic: sent.topic, partition: sent.partition, offset: sent.offset, format: String(data.get('format')) })}`,
              'browse it',
            ),
          )
        } catch (error) {
          showError(error)
        }
      },
    },
    field(
      'topic',
      h(
        'select',
        { name: 'topic' },
        topics.map((topic) =>
          h('option', { value: topic.name, selected: topic.name === query.get('topic') }, topic.name),
        ),
      ),
    ),
    field('partition (empty: by key)', h('input', { name: 'partition', type: 'number', min: 0 })),
    field('key (empty: none)', h('input', { name: 'key' })),
    field('value', h('textarea', { name: 'value' })),
    field(
      'value is',
      h(
        'select',
        { name: 'format' },
        ['text', 'json', 'msgpack'].map((format) =>
          h('option', { value: format }, format === 'msgpack' ? 'JSON, sent as msgpack' : format),
        ),
      ),
    ),
    field('headers (name=value, one a line)', h('textarea', { name: 'headers' })),
    h('button', { type: 'submit' }, 'Send'),
  )
  return [h('h2', {}, 'Produce a test message'), form, result]
}

window.addEventListener('hashchange', () => void route())
void route()
