// Consumer-group lag over time for the console's chart: a sample each time the page asks for a
// group (it polls every few seconds while the group is open). Pure and bounded: the caller passes
// the time, each group keeps its latest samples, and the oldest group is dropped past the limit.

export interface LagSample {
  /** Ms since the epoch. */
  readonly atMs: number
  /** Sum of the committed partitions' lag. */
  readonly totalLag: number
}

export interface LagHistoryLimits {
  /** Samples kept per group. */
  readonly samplesMax: number
  /** Groups kept; the least recently sampled goes first. */
  readonly groupsMax: number
  /** Samples closer than this replace the previous one, so two open pages do not halve the window. */
  readonly sampleIntervalMsMin: number
}

export const lagHistoryLimitsDefault: LagHistoryLimits = {
  samplesMax: 120,
  groupsMax: 200,
  sampleIntervalMsMin: 1000,
}

export class LagHistory {
  private readonly groups = new Map<string, LagSample[]>()

  constructor(private readonly limits: LagHistoryLimits = lagHistoryLimitsDefault) {}

  /** Records the lag of `groupId` at `atMs` (per partition: null when nothing is committed). */
  record(groupId: string, atMs: number, lags: readonly (number | null)[]): void {
    const totalLag = lags.reduce<number>((sum, lag) => sum + (lag ?? 0), 0)
    const samples = this.groups.get(groupId) ?? []
    // Re-inserted so Map order is least recently sampled first.
    this.groups.delete(groupId)
    this.groups.set(groupId, samples)
    const last = samples[samples.length - 1]
    if (last !== undefined && atMs - last.atMs < this.limits.sampleIntervalMsMin) samples.pop()
    samples.push({ atMs, totalLag })
    if (samples.length > this.limits.samplesMax) samples.splice(0, samples.length - this.limits.samplesMax)
    while (this.groups.size > this.limits.groupsMax) {
      const oldest = this.groups.keys().next().value as string
      this.groups.delete(oldest)
    }
  }

  samples(groupId: string): readonly LagSample[] {
    return this.groups.get(groupId) ?? []
  }
}
