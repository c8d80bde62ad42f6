import pLimit from 'p-limit'
import type { z } from 'zod'
import { ConfigError } from './errors.js'

/**
 * Validates a request's provider fields with the provider's own schema. Every provider reports
 * a bad definition the same way: `[vault] invalid settings for secret "x": path: problem; …`.
 */
export function parseProviderConfig<T>(
  schema: z.ZodType<T>,
  request: { secret: string; config: Record<string, unknown> },
  provider: string,
): T {
  const parsed = schema.safeParse(request.config)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ')
  throw new ConfigError(`invalid settings for secret "${request.secret}": ${problems}`, {
    provider,
    secret: request.secret,
  })
}

/** Maps with at most `limit` calls in flight, keeping the order of `items`. */
export function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const run = pLimit(Math.max(1, limit))
  return Promise.all(items.map((item, index) => run(() => fn(item, index))))
}
