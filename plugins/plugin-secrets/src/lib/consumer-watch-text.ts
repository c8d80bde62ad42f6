import type { ConsumerWatchEvent } from './consumer-watch.js'

/** The human line of a `floe secrets watch` event (undefined: nothing to say). */
export function describeWatchEvent(event: ConsumerWatchEvent): string | undefined {
  switch (event.event) {
    case 'watching':
      return `Watching ${event.secrets.length} secret${event.secrets.length === 1 ? '' : 's'} (${event.secrets.join(', ') || 'none'})${event.consumers.length ? ` for ${event.consumers.join(', ')}` : ''}; Ctrl-C to stop.`
    case 'changed':
      return `secret "${event.secret}" changed (${event.reason === 'lease' ? 'lease re-issued' : `version ${event.previousVersion ?? '?'} → ${event.version ?? '?'}`})`
    case 'renewed':
      return `renewed the lease of "${event.secret}": ttl ${event.ttlSeconds}s`
    case 'failed':
      return `warning: ${event.phase} of "${event.secret}" failed (${event.code}): ${event.message}`
    case 'rendered':
      return `✓ re-rendered ${event.output} from ${event.template} (${event.secrets.join(', ')})`
    case 'unchanged':
      return `  ${event.output} unchanged: no key it uses changed`
    case 'reapplied':
      return event.replaced.length
        ? `✓ re-applied DuckDB secret${event.replaced.length === 1 ? '' : 's'} ${event.replaced.join(', ')} (${event.secret})`
        : undefined
    case 'reapply-failed':
      return `✗ re-applying DuckDB secrets for "${event.secret}" failed (${event.code}): ${event.message}`
    case 'synced':
      return event.steps.map((step) => `${event.ok ? '✓' : '✗'} ${step}`).join('\n')
    case 'consumer-failed':
      return `✗ ${event.consumer} after "${event.secret}" changed failed (${event.code}): ${event.message}`
  }
}

/**
 * Prints `floe secrets watch` events on stdout: one JSON object per line with --json, else
 * the human line. `safe` is the session redactor's last pass over every line.
 */
export function watchEventPrinter(
  json: boolean,
  safe: (text: string) => string,
): (event: ConsumerWatchEvent) => void {
  return (event) => {
    if (json) {
      process.stdout.write(safe(JSON.stringify({ ...event, ts: new Date().toISOString() })) + '\n')
      return
    }
    const text = describeWatchEvent(event)
    if (text) process.stdout.write(safe(text) + '\n')
  }
}
