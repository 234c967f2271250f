// When a broker answers /ready with 200: it is one of the cluster's brokers, a controller is
// elected, and every replica it hosts holds what its leader committed (broker-state.ts's rule, the
// one its heartbeats report). Pure: the broker hands in what it knows; the reasons say what to wait for.

export interface ReadinessInput {
  readonly brokerId: number
  /** The ids of the cluster's brokers now (--peers, plus added, minus removed). */
  readonly brokerIds: readonly number[]
  /** The controller's broker id; 0 or below while none is elected. */
  readonly controllerId: number
  /** What the broker reports in its heartbeats: 'alive', 'catching-up' or 'draining'. */
  readonly state: string
  readonly catchUpPercent: number
  /** close() began. */
  readonly closing: boolean
}

export interface Readiness {
  readonly ready: boolean
  /** Empty when ready; otherwise one sentence per condition not met. */
  readonly reasons: readonly string[]
}

export function readiness(input: ReadinessInput): Readiness {
  const reasons: string[] = []
  if (input.closing) reasons.push('the broker is shutting down')
  if (!input.brokerIds.includes(input.brokerId)) {
    reasons.push(
      `broker ${input.brokerId} is not a member of the cluster yet (brokers: ${input.brokerIds.join(', ')}); admit it with \`weir cluster add-broker\``,
    )
  }
  if (input.controllerId <= 0)
    reasons.push('no controller is elected yet; a majority of the brokers must be up')
  if (input.state === 'catching-up') {
    reasons.push(
      `hosted replicas are catching up with their leaders (${input.catchUpPercent}% held); wait for them to copy the committed data`,
    )
  }
  return { ready: reasons.length === 0, reasons }
}
