import { once } from 'node:events'
import { sandboxServices, loadSandboxSeed, startSandbox } from './launcher.js'

export interface CliIo {
  stdout?: (text: string) => void
  stderr?: (text: string) => void
  /** stops the sandbox (tests); the bin stops on SIGINT / SIGTERM */
  signal?: AbortSignal
}

function usage(): string {
  const services = sandboxServices()
  return [
    'Usage: floe-sandbox [--config sandbox.yaml] [--<service> [PORT]]... [--json]',
    '',
    'Starts wire-protocol emulators on 127.0.0.1, seeded from a YAML file, until Ctrl-C.',
    '',
    'Options:',
    '  -c, --config FILE   seed file: a map of service → seed (see @floe/testkit README)',
    '  --json              print {services, env} as JSON instead of shell exports',
    '  -h, --help          this help',
    '',
    'Services (flag, default port):',
    ...services.map(
      (s) => `  --${s.name} [PORT]`.padEnd(22) + `${s.description} (default ${s.defaultPort})`,
    ),
    '',
    'Without a service flag, the services named in the seed file start (else all of them).',
  ].join('\n')
}

const shellQuote = (value: string): string =>
  /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`

/** floe-sandbox; resolves with the exit code once stopped. */
export async function main(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const out = io.stdout ?? ((text: string) => void process.stdout.write(text))
  const err = io.stderr ?? ((text: string) => void process.stderr.write(text))
  const names = new Set(sandboxServices().map((s) => s.name))
  const ports: Record<string, number> = {}
  let config: string | undefined
  let json = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '-h' || arg === '--help') {
      out(usage() + '\n')
      return 0
    }
    if (arg === '--json') json = true
    else if (arg === '-c' || arg === '--config') {
      config = argv[++i]
      if (!config) {
        err('floe-sandbox: --config needs a file\n')
        return 2
      }
    } else if (arg.startsWith('--') && names.has(arg.slice(2).split('=')[0] as string)) {
      const [flag, inline] = arg.slice(2).split('=') as [string, string | undefined]
      const next =
        inline ??
        (argv[i + 1] !== undefined && /^\d+$/.test(argv[i + 1] as string) ? argv[++i] : undefined)
      const port =
        next === undefined
          ? (sandboxServices().find((s) => s.name === flag)?.defaultPort ?? 0)
          : Number(next)
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        err(`floe-sandbox: --${flag} needs a port between 0 and 65535\n`)
        return 2
      }
      ports[flag] = port
    } else {
      err(`floe-sandbox: unknown argument "${arg}"\n\n${usage()}\n`)
      return 2
    }
  }

  let sandbox
  try {
    const seed = config ? await loadSandboxSeed(config) : {}
    sandbox = await startSandbox({ ports, seed })
  } catch (error) {
    err(`floe-sandbox: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }

  if (json) {
    out(
      JSON.stringify(
        {
          services: sandbox.services.map(({ name, url, env, notes }) => ({
            name,
            url,
            env,
            notes,
          })),
          env: sandbox.env,
        },
        null,
        2,
      ) + '\n',
    )
  } else {
    for (const service of sandbox.services) out(`# ${service.name}: ${service.url}\n`)
    out(
      '# point floe and the usual clients at the sandbox (eval "$(floe-sandbox … | grep ^export)"):\n',
    )
    for (const [key, value] of Object.entries(sandbox.env))
      out(`export ${key}=${shellQuote(value)}\n`)
    for (const service of sandbox.services)
      for (const note of service.notes) out(`# ${service.name}: ${note}\n`)
    out('# press Ctrl-C to stop\n')
  }

  const stop = new AbortController()
  const onSignal = () => stop.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  io.signal?.addEventListener('abort', onSignal, { once: true })
  if (!stop.signal.aborted && !io.signal?.aborted) await once(stop.signal, 'abort')
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  await sandbox.close()
  return 0
}
