// Client-side partition assignors, pluggable by the Assignor interface.
export type {
  Assignor,
  AssignorMember,
  MemberAssignment,
} from './assignor.js'
export {
  type CooperativePlan,
  cooperativeStickyAssignor,
  planCooperativeAssignment,
} from './cooperative-sticky.js'
export { rangeAssignor } from './range.js'
export { roundRobinAssignor } from './round-robin.js'
