// Realistic JSON values for the codec benchmark: order and page-view event documents of about
// 0.5 to 2 KiB with the repeated field names real topics have, and values drawn from a seeded
// generator (ids, prices, timestamps, a few free-text words), so batches compress as real traffic
// does rather than as repeated bytes. Deterministic: the same seed gives the same documents.

/** xorshift32: small, fast, seeded; good enough to vary document content. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1
  return () => {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state / 0x1_0000_0000
  }
}

const words = (
  'express standard gift fragile leave-at-door weekend evening morning second-floor ring-bell ' +
  'blue red green large small medium cotton steel wooden organic refurbished bundle'
).split(' ')
const cities = ['Lyon', 'Porto', 'Leeds', 'Graz', 'Aarhus', 'Gdansk', 'Turin', 'Ghent', 'Cork', 'Malmo']
const statuses = ['placed', 'paid', 'packed', 'shipped', 'delivered', 'returned']
const pages = ['/', '/search', '/cart', '/checkout', '/account', '/products/view', '/help']

export interface DocumentPool {
  readonly values: readonly Buffer[]
  readonly bytes: number
}

/** `count` documents, half orders and half events, as UTF-8 JSON buffers. */
export function jsonDocuments(count: number, seed = 14): DocumentPool {
  const random = seededRandom(seed)
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!
  const integer = (below: number) => Math.floor(random() * below)
  const values: Buffer[] = []
  let bytes = 0
  for (let index = 0; index < count; index++) {
    const document = index % 2 === 0 ? order(index) : event(index)
    const value = Buffer.from(JSON.stringify(document))
    values.push(value)
    bytes += value.length
  }
  return { values, bytes }

  function order(index: number): object {
    const lines = 2 + integer(11)
    return {
      type: 'order',
      orderId: `ord-${(1_000_000 + index * 7919).toString(36)}-${integer(1e6).toString(16)}`,
      createdAt: new Date(1_767_225_600_000 + index * 1_371 + integer(1000)).toISOString(),
      status: pick(statuses),
      customer: {
        customerId: `cus-${integer(50_000)}`,
        email: `user${integer(50_000)}@example.com`,
        tier: pick(['bronze', 'silver', 'gold']),
        address: { city: pick(cities), postcode: String(10_000 + integer(89_999)), country: 'EU' },
      },
      lines: Array.from({ length: lines }, () => ({
        sku: `SKU-${integer(20_000).toString().padStart(5, '0')}`,
        quantity: 1 + integer(4),
        unitPriceCents: 199 + integer(50_000),
        description: `${pick(words)} ${pick(words)} ${pick(words)}`,
      })),
      shipping: { method: pick(['standard', 'express', 'pickup']), note: `${pick(words)} ${pick(words)}` },
      currency: 'EUR',
    }
  }

  function event(index: number): object {
    return {
      type: 'page_view',
      eventId: `${integer(2 ** 30).toString(16)}-${integer(2 ** 30).toString(16)}-${index}`,
      timestamp: 1_767_225_600_000 + index * 97 + integer(100),
      sessionId: `ses-${integer(200_000).toString(36)}`,
      userId: random() < 0.3 ? null : `usr-${integer(80_000)}`,
      page: { path: pick(pages), referrer: pick(pages), title: `${pick(words)} ${pick(words)}` },
      device: {
        userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${120 + integer(20)}.0.${integer(9999)}.0 Safari/537.36`,
        viewport: { width: pick([360, 768, 1280, 1440, 1920]), height: pick([640, 800, 900, 1080]) },
        language: pick(['en-GB', 'fr-FR', 'de-DE', 'pt-PT', 'da-DK']),
      },
      metrics: { loadMs: 80 + integer(2000), interactiveMs: 120 + integer(3000), scrollDepth: integer(101) },
      experiment: { name: pick(['checkout-v2', 'search-ranking', 'none']), variant: pick(['a', 'b']) },
      campaign: {
        source: pick(['newsletter', 'search', 'social', 'direct']),
        medium: pick(['email', 'cpc', 'organic']),
      },
      breadcrumbs: Array.from({ length: 2 + integer(9) }, (_, step) => ({
        path: pick(pages),
        atMs: step * 1000 + integer(5000),
        action: pick(['view', 'click', 'scroll', 'add_to_cart']),
      })),
    }
  }
}
