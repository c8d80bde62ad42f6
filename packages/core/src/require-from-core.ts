import { createRequire } from 'node:module'

let requireFunction: NodeJS.Require | undefined

/**
 * require() relative to core, for its synchronous on-demand loads (yaml, proper-lockfile,
 * write-file-atomic, CommonJS providers). Made on first use: each createRequire at load time cost
 * every floe start ≈ 0.1 ms.
 */
export const requireFromCore = (id: string): unknown =>
  (requireFunction ??= createRequire(import.meta.url))(id)
