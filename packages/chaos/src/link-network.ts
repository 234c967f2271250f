// Every peer link of the cluster as a LinkProxy, one per ordered pair (i dials j), and the link
// faults expressed over brokers instead of proxies. Pure bookkeeping over the proxies: which
// directions of which proxies a fault touches.
import { type DelaySpec, LinkProxy } from './link-proxy.js'
import type { Random } from './prng.js'

export class LinkNetwork {
  private constructor(private readonly proxies: ReadonlyMap<string, LinkProxy>) {}

  /** Starts a proxy for every ordered pair of `peers`, forwarding to `peerPortOf(j)`. */
  static async start(
    ids: readonly number[],
    peerPortOf: (id: number) => number,
    random: Random,
  ): Promise<LinkNetwork> {
    const proxies = new Map<string, LinkProxy>()
    try {
      for (const from of ids)
        for (const to of ids)
          if (from !== to) proxies.set(key(from, to), await LinkProxy.start(0, peerPortOf(to), random))
    } catch (error) {
      await Promise.all([...proxies.values()].map((proxy) => proxy.close()))
      throw error
    }
    return new LinkNetwork(proxies)
  }

  /** The port broker `from` is told broker `to`'s peer listener is on. */
  portFor(from: number, to: number): number {
    return this.proxy(from, to).port
  }

  private proxy(from: number, to: number): LinkProxy {
    const proxy = this.proxies.get(key(from, to))
    if (proxy === undefined) throw new RangeError(`no link ${from}→${to}`)
    return proxy
  }

  /** Nothing `from` sends reaches `to` (its requests on from→to, its answers on to→from). */
  cutOneWay(from: number, to: number): void {
    const requests = this.proxy(from, to)
    const answers = this.proxy(to, from)
    requests.states.forward.hold = true
    answers.states.backward.hold = true
    requests.update()
    answers.update()
  }

  /** Both directions between `a` and `b` held (iptables DROP both ways). */
  partition(a: number, b: number): void {
    this.cutOneWay(a, b)
    this.cutOneWay(b, a)
  }

  /** Every byte between `a` and `b`, both ways, delayed by base ± jitter. */
  delay(a: number, b: number, spec: DelaySpec): void {
    for (const proxy of [this.proxy(a, b), this.proxy(b, a)]) {
      proxy.states.forward.delay = spec
      proxy.states.backward.delay = spec
      proxy.update()
    }
  }

  /** Both links between `a` and `b` reset, and new connections refused, until healed. */
  reset(a: number, b: number): void {
    this.proxy(a, b).reset()
    this.proxy(b, a).reset()
  }

  /** `id` cut from every other broker. */
  isolate(id: number, ids: readonly number[]): void {
    for (const other of ids) if (other !== id) this.partition(id, other)
  }

  healAll(): void {
    for (const proxy of this.proxies.values()) proxy.heal()
  }

  async close(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((proxy) => proxy.close()))
  }
}

function key(from: number, to: number): string {
  return `${from}->${to}`
}
