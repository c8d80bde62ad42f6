import { resolve } from 'node:path'
import { Flags } from '@oclif/core'
import { UnsupportedError, UsageError } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import {
  watchConsumers,
  type ConsumerWatchEvent,
  type InjectTarget,
} from '../../lib/consumer-watch.js'
import { describeWatchEvent } from '../../lib/consumer-watch-text.js'
import { parseOptions } from '../../lib/options.js'
import { readTemplate } from '../../lib/template.js'

/** What the duckdb emitter's `watch` returns (see @floe/emit-duckdb watch-cli.ts). */
interface DuckdbWatchHandle {
  persistent: string[]
  skipped: string[]
  watch: { watcher: { intervals(): ReadonlyMap<string, number> } }
  stop(): Promise<void>
}

export default class SecretsWatch extends FloeCommand<unknown> {
  static override summary = 'Keep consumers fresh while secrets rotate: templates, DuckDB, sync'
  static override description = `Runs until Ctrl-C (SIGINT) or SIGTERM. Watches secrets by metadata only (describe versions, at each secret's rotation.refresh_interval, default _config.rotation.refresh_interval, else 5m) and, when one changes: re-renders the --inject templates that use it (atomically, 0600, only when the text changes); with --duckdb re-applies the persistent DuckDB secrets built from it (CREATE OR REPLACE in secret_directory, for every DuckDB process that reads them); with --sync runs the platform hooks' sync (e.g. an ExternalSecret refresh; never restarts). Every change is printed, or streamed as one JSON object per line with --json. Values never appear. To restart a command on rotation, use 'floe secrets exec --watch'.`
  static override examples = [
    '<%= config.bin %> secrets watch',
    '<%= config.bin %> secrets watch --inject config/app.template.yaml=/run/app/config.yaml',
    '<%= config.bin %> secrets watch --duckdb --json',
    '<%= config.bin %> secrets watch --sync --secret snowflake-credentials',
  ]
  static override flags = {
    secret: Flags.string({
      char: 's',
      description: 'watch only this secret (repeatable; default: what the consumers use, else all)',
      multiple: true,
    }),
    inject: Flags.string({
      description: 'TEMPLATE=OUTPUT: render like `inject`, again on every change (repeatable)',
      multiple: true,
    }),
    duckdb: Flags.boolean({
      description: 'keep the persistent secrets of the duckdb: section current',
    }),
    'secret-directory': Flags.string({
      description: 'DuckDB secret_directory (default: duckdb.secret_directory)',
      dependsOn: ['duckdb'],
    }),
    option: Flags.string({
      description: 'duckdb option duckdb.<setting>=value (repeatable)',
      multiple: true,
      dependsOn: ['duckdb'],
    }),
    sync: Flags.boolean({
      description:
        "run the platform hooks' sync on every change (Kubernetes: ExternalSecret refresh)",
    }),
  }

  protected async execute(): Promise<Outcome<unknown>> {
    const { flags } = await this.parse(SecretsWatch)
    const manifest = await this.session.manifest()
    for (const name of flags.secret ?? []) {
      if (!manifest.secrets[name]) {
        throw new UsageError(`secret "${name}" is not declared in ${manifest.path}`)
      }
    }
    const injects: InjectTarget[] = []
    for (const pair of flags.inject ?? []) {
      const at = pair.indexOf('=')
      if (at <= 0 || at === pair.length - 1) {
        throw new UsageError(`--inject ${pair}: expected TEMPLATE=OUTPUT`)
      }
      const input = resolve(pair.slice(0, at))
      const output = resolve(pair.slice(at + 1))
      if (input === output) {
        throw new UsageError(`--inject ${pair}: the template would be overwritten with values`)
      }
      injects.push({ template: await readTemplate(input, pair.slice(0, at), manifest), output })
    }
    // --duckdb watches what its DuckDB secrets use by itself; the rest watch --secret, else what
    // the templates use, else every secret.
    const onlyDuckdb = flags.duckdb && injects.length === 0 && !flags.sync && !flags.secret
    const used = [...new Set(injects.flatMap((t) => t.template.secrets))]
    const watched: string[] = onlyDuckdb
      ? []
      : (flags.secret ?? (used.length ? used : Object.keys(manifest.secrets)))

    const print = (event: ConsumerWatchEvent) => {
      if (this.json) {
        process.stdout.write(
          this.safe(JSON.stringify({ ...event, ts: new Date().toISOString() })) + '\n',
        )
      } else {
        const text = describeWatchEvent(event)
        if (text) process.stdout.write(this.safe(text) + '\n')
      }
    }
    const resolver = await this.session.resolver('long-running')
    const consumers = watchConsumers({
      manifest,
      resolver,
      redactor: this.session.redactor,
      secrets: watched,
      injects,
      hooks: flags.sync ? await this.session.registry.hookModules() : [],
      ctx: await this.session.providerContext(),
      emit: print,
      warn: (message) => this.printWarning(message),
    })
    let duckdb: DuckdbWatchHandle | undefined
    try {
      await consumers.renderAll()
      if (flags.duckdb) {
        const emitter = (await this.session.emitter('duckdb')) as {
          watch?: (input: Record<string, unknown>) => Promise<DuckdbWatchHandle>
          packageName: string
        }
        if (typeof emitter.watch !== 'function') {
          throw new UnsupportedError(`${emitter.packageName} cannot watch; upgrade it`)
        }
        duckdb = await emitter.watch({
          manifest,
          resolver,
          secretDirectory: flags['secret-directory'],
          options: parseOptions(flags.option ?? []),
          onEvent: print,
        })
        for (const name of duckdb.skipped) {
          this.printWarning(
            `DuckDB secret "${name}" is temporary: it lives in one DuckDB session, so watch cannot refresh it (set persistent: true, or use applySecrets(…, { watch: true }) in that program)`,
          )
        }
      }
      await consumers.watcher.ready
      print({
        event: 'watching',
        secrets: [
          ...new Set([...watched, ...(duckdb ? [...duckdb.watch.watcher.intervals().keys()] : [])]),
        ],
        consumers: [
          ...injects.map((t) => `inject ${t.template.label}`),
          ...(duckdb ? duckdb.persistent.map((n) => `duckdb ${n}`) : []),
          ...(flags.sync ? ['sync'] : []),
        ],
      })
      // The watch timers do not keep Node alive (they are unref'd): this does, until a signal.
      const alive = setInterval(() => {}, 2 ** 30)
      await new Promise<void>((done) => {
        process.once('SIGINT', done)
        process.once('SIGTERM', done)
      })
      clearInterval(alive)
    } finally {
      consumers.watcher.stop()
      await consumers.idle()
      await duckdb?.stop()
    }
    return { result: null, silent: true }
  }
}
