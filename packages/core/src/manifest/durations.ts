import ms from 'ms'

/** Milliseconds of a validated duration (`5m`, `30s`, `250ms`; a bare number is seconds). */
export function durationMs(value: string | number): number {
  if (typeof value === 'number') return value * 1000
  const parsed = ms(value.replace(/\s+/g, '') as ms.StringValue)
  return typeof parsed === 'number' && Number.isFinite(parsed) ? parsed : NaN
}
