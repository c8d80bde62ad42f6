import {
  watchSecrets,
  type LoadedManifest,
  type ProviderContext,
  type Redactor,
  type Resolver,
  type RotationHookModule,
  type SecretWatcher,
  type WatchableResolver,
  type WatchEvent,
} from '@floe/core'
import { writePrivateFile } from './files.js'
import { renderTemplate, type ParsedTemplate } from './template.js'

// node:crypto is loaded at first use: a start that hashes nothing does not pay for it (issue 17)
const crypto = () => process.getBuiltinModule('node:crypto')

/** One line of `floe secrets watch --json` (the human lines say the same). */
export type ConsumerWatchEvent =
  | WatchEvent
  | { event: 'watching'; secrets: string[]; consumers: string[] }
  | { event: 'rendered'; template: string; output: string; secrets: string[] }
  /** the secret changed but no key the template uses did: the file was left alone */
  | { event: 'unchanged'; template: string; output: string; secrets: string[] }
  | { event: 'reapplied'; secret: string; replaced: string[] }
  | { event: 'reapply-failed'; secret: string; code: string; message: string }
  | { event: 'synced'; secret: string; ok: boolean; steps: string[] }
  | { event: 'consumer-failed'; consumer: string; secret: string; code: string; message: string }

export interface InjectTarget {
  template: ParsedTemplate
  /** absolute path of the rendered file (written atomically, 0600) */
  output: string
}

export interface ConsumerWatchOptions {
  manifest: LoadedManifest
  resolver: Pick<Resolver, 'resolve' | 'describe'> & WatchableResolver
  redactor: Redactor
  /** exactly the secrets to watch */
  secrets: readonly string[]
  injects: readonly InjectTarget[]
  /** platform hooks whose sync runs on a change (`--sync`), without restarts */
  hooks: readonly RotationHookModule[]
  ctx: ProviderContext
  emit: (event: ConsumerWatchEvent) => void
  warn: (message: string) => void
}

const digest = (text: string) => crypto().createHash('sha256').update(text).digest('hex')

/**
 * `floe secrets watch` without DuckDB: watches the secrets by metadata and, when one changes,
 * re-renders the inject templates that use it (only when the rendered text differs) and runs the
 * platform hooks' sync (e.g. an ExternalSecret refresh). Work runs one change at a time.
 */
export function watchConsumers(options: ConsumerWatchOptions): {
  watcher: SecretWatcher
  /** renders every inject target once (before the watch starts) */
  renderAll(): Promise<void>
  idle(): Promise<void>
} {
  const { resolver, manifest, emit } = options
  const written = new Map<string, string>()
  let queue: Promise<void> = Promise.resolve()

  async function render(target: InjectTarget): Promise<boolean> {
    const text = await renderTemplate(target.template, resolver, options.redactor, options.warn)
    const hash = digest(text)
    if (written.get(target.output) === hash) return false
    await writePrivateFile(target.output, text)
    written.set(target.output, hash)
    return true
  }

  const failed = (consumer: string, secret: string, error: unknown) =>
    emit({
      event: 'consumer-failed',
      consumer,
      secret,
      code: (error as { code?: string }).code ?? 'INVALID',
      message: (error as Error).message,
    })

  async function react(secret: string): Promise<void> {
    resolver.invalidate?.(secret)
    for (const target of options.injects.filter((t) => t.template.secrets.includes(secret))) {
      try {
        emit({
          event: (await render(target)) ? 'rendered' : 'unchanged',
          template: target.template.label,
          output: target.output,
          secrets: [secret],
        })
      } catch (error) {
        failed(`inject ${target.template.label}`, secret, error)
      }
    }
    const definition = manifest.secrets[secret]
    if (!definition) return
    for (const hook of options.hooks) {
      const steps: string[] = []
      let ok = true
      try {
        for await (const step of hook.afterRotate({
          secret: definition,
          manifest,
          restartDeployments: false,
          dryRun: false,
          ctx: options.ctx,
        })) {
          steps.push(step.message)
          ok &&= step.ok
        }
        if (steps.length) emit({ event: 'synced', secret, ok, steps })
      } catch (error) {
        failed(`hook ${hook.name}`, secret, error)
      }
    }
  }

  const watcher = watchSecrets({
    resolver,
    manifest,
    secrets: options.secrets,
    onEvent(event) {
      emit(event)
      if (event.event === 'changed') queue = queue.then(() => react(event.secret))
    },
  })
  return {
    watcher,
    async renderAll() {
      for (const target of options.injects) await render(target)
    },
    idle: () => queue,
  }
}
