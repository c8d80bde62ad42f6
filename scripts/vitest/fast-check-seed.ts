/**
 * Every property test (fast-check) in the workspace runs with one seed per run:
 * - `FLOE_FC_SEED=<n>` replays a run (fast-check prints `{ seed: n, path: … }` on failure);
 * - otherwise CI (`CI=true`) uses the fixed seed below, so a red build is a real regression;
 * - otherwise (a developer's machine) a random seed, so new inputs keep being explored.
 * `FLOE_FC_SEED=random` asks for a random seed in CI too.
 */
import fc from 'fast-check'

export const FIXED_SEED = 20_261_202

export function chooseSeed(env: NodeJS.ProcessEnv): number {
  const raw = env.FLOE_FC_SEED?.trim()
  if (raw && raw !== 'random') {
    const seed = Number(raw)
    if (!Number.isSafeInteger(seed)) throw new Error(`FLOE_FC_SEED must be an integer, got ${raw}`)
    return seed
  }
  if (env.CI === 'true' && raw !== 'random') return FIXED_SEED
  return (Math.random() * 2 ** 31) | 0
}

fc.configureGlobal({ seed: chooseSeed(process.env) })
