/** How often a watched secret is described: its interval, a floor and a jitter. */
export interface PollSchedule {
  /** the secret's `rotation.refresh_interval`, else `_config.rotation.refresh_interval` */
  intervalMs: number
  /** no provider is polled more often than this, whatever the manifest says */
  floorMs: number
  /** fraction of the interval by which each poll comes early, at random (0 = in step) */
  jitter: number
}

export const DEFAULT_REFRESH_INTERVAL_MS = 5 * 60_000
export const DEFAULT_POLL_FLOOR_MS = 1_000
export const DEFAULT_POLL_JITTER = 0.2

/**
 * The delay before the next poll: the interval (never below the floor) shortened by up to
 * `jitter` of itself. Coming early rather than late keeps "a change is seen within one interval"
 * true while a fleet of watchers started together drifts apart instead of polling in step.
 */
export function nextPollDelay(schedule: PollSchedule, random: () => number): number {
  const interval = Math.max(schedule.intervalMs, schedule.floorMs)
  const jitter = Math.min(Math.max(schedule.jitter, 0), 1)
  return Math.max(schedule.floorMs, Math.round(interval * (1 - jitter * random())))
}
