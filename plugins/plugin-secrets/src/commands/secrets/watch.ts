import { Flags } from '@oclif/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { watchConsumers } from '../../lib/consumer-watch.js'
import { watchEventPrinter } from '../../lib/consumer-watch-text.js'
import { parseOptions } from '../../lib/options.js'
import {
  startDuckdbWatch,
  untilStopSignal,
  watchTargets,
  watchingEvent,
  type DuckdbWatchHandle,
} from '../../lib/watch-consumers-setup.js'

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
    const { injects, watched } = await watchTargets(manifest, flags)
    const print = watchEventPrinter(this.json, (text) => this.safe(text))
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
        const input = {
          manifest,
          resolver,
          secretDirectory: flags['secret-directory'],
          options: parseOptions(flags.option ?? []),
          onEvent: print,
        }
        const emitter = await this.session.emitter('duckdb')
        duckdb = await startDuckdbWatch(emitter, input, (m) => this.printWarning(m))
      }
      await consumers.watcher.ready
      print(watchingEvent(watched, injects, duckdb, Boolean(flags.sync)))
      await untilStopSignal()
    } finally {
      consumers.watcher.stop()
      await consumers.idle()
      await duckdb?.stop()
    }
    return { result: null, silent: true }
  }
}
