export * from './types.js'
export { checks, type CheckName } from './checks.js'
export { canaryValue, ConformanceError, uniqueName } from './probe.js'
export { runProviderConformance } from './run.js'
