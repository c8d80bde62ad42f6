import type { ExecEvent } from './exec-supervisor.js'

export interface EventPrinterOptions {
  json: boolean
  verbose: boolean
  /** the session redactor's last pass over every line */
  safe(text: string): string
}

/** Human text of an event, or undefined when it is only shown under --verbose. */
function describe(event: ExecEvent, verbose: boolean): string | undefined {
  switch (event.event) {
    case 'started':
      return verbose
        ? `started pid ${event.pid} with ${event.variables.length} variables`
        : undefined
    case 'changed':
      if (event.action === 'none') {
        return `secret "${event.secret}" changed (${event.reason === 'lease' ? 'lease re-issued' : `version ${event.version ?? '?'}`}); no variable the command uses changed: nothing to do`
      }
      return `secret "${event.secret}" changed (${event.reason === 'lease' ? 'lease re-issued' : `version ${event.version ?? '?'}`}): ${event.variables.join(', ')} → ${event.action}`
    case 'restarted':
      return `restarted the command (pid ${event.previousPid} → ${event.pid}${event.killed ? ', killed after the grace period' : ''}) for ${event.secrets.join(', ')}`
    case 'reconnected':
      return `sent ${event.signal} to pid ${event.pid}${event.file ? ` after rewriting ${event.file}` : ''} for ${event.secrets.join(', ')}`
    case 'alerted':
      return `ALERT: secret "${event.secret}" rotated to version ${event.version ?? '?'} (on_rotation: alert; the command keeps its old value)${event.hook ? `; hook exited ${event.hookExitCode}` : ''}`
    case 'renewed':
      return verbose
        ? `renewed the lease of "${event.secret}" (${event.lease}): ttl ${event.ttlSeconds}s`
        : undefined
    case 'failed':
      return `warning: ${event.phase} of "${event.secret}" failed (${event.code}): ${event.message}`
    case 'exited':
      return verbose ? `command exited with ${event.exitCode}` : undefined
  }
}

/** `--json`: one JSON object per line on stdout; otherwise `floe:` lines on stderr. */
export function createEventPrinter(options: EventPrinterOptions): (event: ExecEvent) => void {
  return (event) => {
    if (options.json) {
      const line = JSON.stringify({ ...event, ts: new Date().toISOString() })
      process.stdout.write(options.safe(line) + '\n')
      return
    }
    const text = describe(event, options.verbose)
    if (text !== undefined) process.stderr.write(options.safe(`floe: ${text}`) + '\n')
  }
}
