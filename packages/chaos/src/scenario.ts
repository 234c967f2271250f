// What a scenario is and what it may do to the cluster while the workload runs. A scenario injects
// its faults through the context (every fault is recorded with its time) and may leave anything
// broken: the runner heals the links, resumes paused brokers and restarts stopped members after it.
import type { Client } from '@weir/client'
import type { TopicConfig } from '@weir/protocol'
import type { ChaosCluster } from './chaos-cluster.js'
import type { Random } from './prng.js'
import type { Workload } from './workload.js'

export interface ScenarioContext {
  readonly cluster: ChaosCluster
  readonly random: Random
  readonly workload: Workload
  /** An admin client bootstrapped from every broker. */
  readonly admin: Client
  readonly topic: string
  /** 1 for a short run (CI), more for the full matrix. */
  readonly rounds: number
  /** Brokers that are members of the cluster now (add-broker and remove-broker change it). */
  members: number[]
  /** Records a fault (or a step) at this moment and prints it. */
  fault(description: string, disruptive: boolean): void
  sleep(ms: number): Promise<void>
  /** The current leader of `partition` as the cluster reports it, if there is one. */
  leaderOf(partition: number): Promise<number | undefined>
  /** The replicas of `partition` as the cluster reports them. */
  replicasOf(partition: number): Promise<number[]>
  /** Runs `weir ARGS --bootstrap <a running member>`; throws with its output when it exits non-zero. */
  cli(args: readonly string[]): Promise<string>
  /** Waits until `check` holds (polled every 250 ms), or throws naming `what` after `timeoutMs`. */
  waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void>
}

export interface Scenario {
  readonly name: string
  /** One line for --list and docs/reliability.md. */
  readonly description: string
  /** A feature this scenario needs that main may not have yet (it can be skipped with --skip-needs). */
  readonly needs?: string
  readonly brokers: number
  /** Brokers started later by the scenario itself (add-broker). */
  readonly spares?: number
  readonly topicConfig?: TopicConfig
  run(context: ScenarioContext): Promise<void>
}
