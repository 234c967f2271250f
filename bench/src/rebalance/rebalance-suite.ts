// `pnpm bench -- --only rebalance` (issue 14, part 5): how fast a consumer group settles, on one
// broker in its own process with the broker's defaults (initialRebalanceDelayMs 300 ms) and
// members with the client's defaults (heartbeat every 3 s): the figures a user gets without
// tuning. Rows, each for the classic protocol (JoinGroup/SyncGroup, cooperative-sticky) and the
// broker-driven one (groupProtocol 'consumer', ConsumerGroupHeartbeat): a group of 4 starting
// together over 8 partitions, and created 100 ms apart (as separate processes starting one after
// another: the case where a member that is already stable must hear of the next); 10 members over 900 partitions stable after the last one joins; a
// member's clean leave (close()) until every partition is consumed again by its new owner. Redis
// Streams and NATS JetStream have no equivalent: their consumer groups do not assign partitions to
// members, so nothing rebalances. `runRebalanceSuite` is what the default run can call.
import { startWeirServer } from '../e2e/weir-server.js'
import { measureRebalances, type RebalanceSpec, type RebalanceStatistics } from '../groups.js'
import type { Progress } from '../measurement.js'
import { type Table, targetTable } from '../report.js'
import { findWeir } from '../servers/weir.js'
import type { TargetCheck } from '../targets.js'
import {
  measureStartTogether,
  type StartTogetherSpec,
  type StartTogetherStatistics,
} from './start-together.js'

export const rebalanceSizes = {
  quick: { rounds: 3, leaves: 5 },
  full: { rounds: 10, leaves: 20 },
} as const

export type RebalanceSizes = (typeof rebalanceSizes)[keyof typeof rebalanceSizes]

/** Targets of issue 14: one join round under 1 s; 10 × 900 under 1 s; a leave under 300 ms. */
export const startTogetherMsMax = 1000
export const lastJoinMsMax = 1000
export const leaveHandOverMsMax = 300

export const groupProtocols = ['classic', 'consumer'] as const
export type GroupProtocol = (typeof groupProtocols)[number]

export interface ProtocolResults {
  readonly together?: { readonly spec: StartTogetherSpec; readonly statistics: StartTogetherStatistics }
  readonly staggered?: { readonly spec: StartTogetherSpec; readonly statistics: StartTogetherStatistics }
  readonly lastJoin?: { readonly spec: StartTogetherSpec; readonly statistics: StartTogetherStatistics }
  readonly leave?: { readonly spec: RebalanceSpec; readonly statistics: RebalanceStatistics }
}

export interface RebalanceResults {
  readonly classic: ProtocolResults
  readonly consumer: ProtocolResults
  readonly errors: { readonly workload: string; readonly message: string }[]
}

export interface RebalanceReporter {
  caseStarted(step: number, steps: number, label: string): void
  readonly progress: Progress
}

/** Runs every row against a fresh broker; a row that fails is recorded in `errors`, the rest still run. */
export async function runRebalanceSuite(
  sizes: RebalanceSizes,
  reporter: RebalanceReporter,
): Promise<RebalanceResults> {
  const weir = await findWeir()
  if (!weir.available) throw new Error(`the rebalance benchmark needs the weir broker: ${weir.reason}`)
  const server = await startWeirServer()
  const brokers = [server.address]
  const errors: RebalanceResults['errors'] = []
  const attempt = async <T>(workload: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run()
    } catch (error) {
      errors.push({ workload, message: error instanceof Error ? error.message : String(error) })
      return undefined
    }
  }
  const topic = (name: string) => `bench-rebalance-${name}-${process.pid}`
  const steps = 4 * groupProtocols.length
  let step = 0
  const measure = async (groupProtocol: GroupProtocol): Promise<ProtocolResults> => {
    const togetherSpec: StartTogetherSpec = { members: 4, partitions: 8, rounds: sizes.rounds, groupProtocol }
    reporter.caseStarted(
      ++step,
      steps,
      `${groupProtocol}: group of 4 over 8 partitions starting together, ${sizes.rounds} rounds`,
    )
    const together = await attempt(`${groupProtocol}: group of 4 starting together`, () =>
      measureStartTogether(brokers, topic(`together-${groupProtocol}`), togetherSpec, reporter.progress),
    )
    const staggeredSpec: StartTogetherSpec = { ...togetherSpec, staggerMs: 100 }
    reporter.caseStarted(
      ++step,
      steps,
      `${groupProtocol}: group of 4 over 8 partitions created 100 ms apart, ${sizes.rounds} rounds`,
    )
    const staggered = await attempt(`${groupProtocol}: group of 4 created 100 ms apart`, () =>
      measureStartTogether(brokers, topic(`staggered-${groupProtocol}`), staggeredSpec, reporter.progress),
    )
    const lastJoinSpec: StartTogetherSpec = {
      members: 10,
      partitions: 900,
      rounds: sizes.rounds,
      lateJoiners: 1,
      groupProtocol,
    }
    reporter.caseStarted(
      ++step,
      steps,
      `${groupProtocol}: 10 members over 900 partitions, the 10th joining, ${sizes.rounds} rounds`,
    )
    const lastJoin = await attempt(`${groupProtocol}: 10 members x 900 partitions`, () =>
      measureStartTogether(brokers, topic(`last-join-${groupProtocol}`), lastJoinSpec, reporter.progress),
    )
    const leaveSpec: RebalanceSpec = {
      kind: 'leave',
      rebalances: sizes.leaves,
      members: 4,
      partitions: 8,
      trickleIntervalMs: 10,
      heartbeatIntervalMs: undefined,
      groupProtocol,
    }
    reporter.caseStarted(
      ++step,
      steps,
      `${groupProtocol}: ${sizes.leaves} clean leaves (close()), group of 4 over 8 partitions`,
    )
    const leave = await attempt(`${groupProtocol}: leave hand-over`, () =>
      measureRebalances(brokers, topic(`leave-${groupProtocol}`), leaveSpec, reporter.progress),
    )
    return {
      ...(together === undefined ? {} : { together: { spec: togetherSpec, statistics: together } }),
      ...(staggered === undefined ? {} : { staggered: { spec: staggeredSpec, statistics: staggered } }),
      ...(lastJoin === undefined ? {} : { lastJoin: { spec: lastJoinSpec, statistics: lastJoin } }),
      ...(leave === undefined ? {} : { leave: { spec: leaveSpec, statistics: leave } }),
    }
  }
  try {
    const classic = await measure('classic')
    const consumer = await measure('consumer')
    return { classic, consumer, errors }
  } finally {
    await server.stop()
  }
}

export function checkRebalanceTargets(results: RebalanceResults): TargetCheck[] {
  const checks: TargetCheck[] = []
  const check = (target: string, measuredMs: number | undefined, maxMs: number) => {
    if (measuredMs === undefined) return
    checks.push({
      target,
      measured: `${measuredMs.toFixed(0)} ms`,
      ratio: measuredMs / maxMs,
      required: `under ${maxMs} ms`,
      meets: measuredMs < maxMs,
    })
  }
  for (const protocol of groupProtocols) {
    const entry = results[protocol]
    check(
      `${protocol}: group of 4 starting together, stable (slowest round)`,
      entry.together?.statistics.maxMs,
      startTogetherMsMax,
    )
    check(
      `${protocol}: group of 4 created 100 ms apart, stable (slowest round)`,
      entry.staggered?.statistics.maxMs,
      startTogetherMsMax,
    )
    check(
      `${protocol}: 10 members x 900 partitions, stable after the last joins (slowest)`,
      entry.lastJoin?.statistics.maxMs,
      lastJoinMsMax,
    )
    check(`${protocol}: leave hand-over (slowest)`, entry.leave?.statistics.maxMs, leaveHandOverMsMax)
  }
  return checks
}

export function rebalanceTables(results: RebalanceResults, targets: readonly TargetCheck[]): Table[] {
  const cells = (statistics: { p50Ms: number; maxMs: number } | undefined) =>
    statistics === undefined ? ['failed', ''] : [statistics.p50Ms.toFixed(0), statistics.maxMs.toFixed(0)]
  const row = (
    label: string,
    pick: (entry: ProtocolResults) => { p50Ms: number; maxMs: number } | undefined,
  ) => [label, ...cells(pick(results.classic)), ...cells(pick(results.consumer))]
  const rounds = (entry: ProtocolResults) =>
    String(entry.together?.statistics.rounds.length ?? entry.leave?.statistics.rebalances ?? 0)
  const rows = [
    row('group of 4 over 8 partitions starting together: stable', (entry) => entry.together?.statistics),
    row('group of 4 created 100 ms apart: stable, from the first', (entry) => entry.staggered?.statistics),
    row('10 members over 900 partitions: stable after the last joins', (entry) => entry.lastJoin?.statistics),
    row(
      'leave hand-over: close() until every partition is consumed again',
      (entry) => entry.leave?.statistics,
    ),
  ]
  const rounding = (label: string, pick: (entry: ProtocolResults) => StartTogetherStatistics | undefined) => [
    `${label}: join rounds (classic: generation) / epochs (consumer), max`,
    String(pick(results.classic)?.generationMax ?? ''),
    '',
    String(pick(results.consumer)?.generationMax ?? ''),
    '',
  ]
  for (const error of results.errors)
    rows.push([`${error.workload}: failed (${error.message})`, '', '', '', ''])
  return [
    {
      title: `Weir consumer group rebalance, classic (JoinGroup/SyncGroup) vs consumer (ConsumerGroupHeartbeat) protocol, broker and client defaults (initial rebalance delay 300 ms, heartbeat 3 s), ${rounds(results.classic)} rounds each; Redis Streams and NATS JetStream have no equivalent row (their groups do not assign partitions to members, so nothing rebalances)`,
      header: ['row', 'classic p50 ms', 'classic max ms', 'consumer p50 ms', 'consumer max ms'],
      rows: [
        ...rows,
        rounding('group of 4 together', (entry) => entry.together?.statistics),
        rounding('group of 4, 100 ms apart', (entry) => entry.staggered?.statistics),
      ],
    },
    targetTable(targets),
  ]
}
