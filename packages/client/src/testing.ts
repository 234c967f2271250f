// Seams for tests, published as `@weir/client/testing` and never exported from index.ts: an
// application has no reason to reach them, and they may change without notice.
import { crashForTests, type GroupConsumer } from './group-consumer.js'

/**
 * Makes `consumer` behave like a killed process: heartbeats, fetching and commits stop at once
 * without a LeaveGroup or a final commit, so the group notices only after the session timeout.
 */
export function crashGroupConsumer<T>(consumer: GroupConsumer<T>): void {
  consumer[crashForTests]()
}
