import type { EmulatorResponse } from '../emulator/index.js'
import type { ResourceType } from './resources.js'
import { statusFailure } from './status.js'
import type { KubeObject } from './types.js'

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED'

interface Recorded {
  type: WatchEventType
  resource: ResourceType
  /** stored form (no apiVersion/kind), frozen at the time of the change */
  object: KubeObject
  resourceVersion: number
}

/** the API server's default `--min-request-timeout` for watches */
const DEFAULT_TIMEOUT_SECONDS = 1800

/**
 * Every change the emulator makes, in resourceVersion order, kept for watches that resume
 * from a resourceVersion (the bounded window plays etcd's compaction: older → 410 Expired).
 */
export class WatchHub {
  private readonly history: Recorded[] = []
  private readonly listeners = new Set<(event: Recorded) => void>()
  private readonly closers = new Set<() => void>()

  constructor(private readonly keep = 10_000) {}

  record(type: WatchEventType, resource: ResourceType, object: KubeObject): void {
    const event: Recorded = {
      type,
      resource,
      object: structuredClone(object),
      resourceVersion: Number(object.metadata.resourceVersion),
    }
    this.history.push(event)
    if (this.history.length > this.keep) this.history.shift()
    for (const listener of this.listeners) listener(event)
  }

  /** end every open watch (the emulator is closing) */
  close(): void {
    for (const close of [...this.closers]) close()
  }

  /**
   * A watch answer: from `resourceVersion` (events after it, 410 Expired when older than the
   * window), or — unset / "0" — synthetic ADDED events for `current()` first, then live events,
   * until `timeoutSeconds` or the client goes away. Events are captured from this call on, so
   * nothing that happens before the stream starts is lost.
   */
  watch(options: {
    resource: ResourceType
    query: URLSearchParams
    /** namespace and selectors of the request */
    matches(object: KubeObject): boolean
    /** stored objects of the type now (for the initial ADDED events) */
    current(): KubeObject[]
    /** the object as the client sees it (apiVersion/kind of the requested version, or a Table row) */
    present(object: KubeObject): KubeObject
  }): EmulatorResponse {
    const { resource, query } = options
    const from = query.get('resourceVersion')
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? DEFAULT_TIMEOUT_SECONDS)
    const pending: string[] = []
    const line = (type: string, object: KubeObject): string =>
      `${JSON.stringify({ type, object })}\n`
    const relevant = (e: Recorded): boolean =>
      e.resource.group === resource.group &&
      e.resource.plural === resource.plural &&
      options.matches(e.object)
    const eventLine = (e: Recorded): string => line(e.type, options.present(e.object))

    if (from && from !== '0') {
      const after = Number(from)
      const oldest = this.history[0]?.resourceVersion
      if (!Number.isInteger(after))
        return statusFailure(400, 'BadRequest', `invalid resource version "${from}"`)
      if (oldest !== undefined && after < oldest - 1) {
        const gone = statusFailure(
          410,
          'Expired',
          `too old resource version: ${after} (${oldest - 1})`,
        ).body as KubeObject
        pending.push(line('ERROR', gone))
        return { status: 200, stream: async (write) => write(pending.join('')) }
      }
      for (const e of this.history)
        if (e.resourceVersion > after && relevant(e)) pending.push(eventLine(e))
    } else
      for (const object of options.current())
        if (options.matches(object)) pending.push(line('ADDED', options.present(object)))

    let deliver: ((chunk: string) => void) | undefined
    const listener = (e: Recorded): void => {
      if (!relevant(e)) return
      if (deliver) deliver(eventLine(e))
      else pending.push(eventLine(e))
    }
    this.listeners.add(listener)
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-cache, private' },
      stream: (write, signal) =>
        new Promise<void>((resolve) => {
          const finish = (): void => {
            clearTimeout(timer)
            this.listeners.delete(listener)
            this.closers.delete(finish)
            resolve()
          }
          const timer = setTimeout(finish, Math.max(0, timeoutSeconds) * 1000)
          timer.unref?.()
          this.closers.add(finish)
          signal.addEventListener('abort', finish, { once: true })
          if (pending.length) write(pending.join(''))
          deliver = write
        }),
    }
  }
}
