import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { SAMPLE_PEM as PEM } from '@floe/core/testing'
import {
  assertBuilt,
  floeBin,
  isolatedEnv,
  makeProject,
  runFloe,
  type FixtureProject,
} from './helpers.js'
import { ptyTestable, runInPty } from './pty-runner.js'

const manifest = `
secrets:
  tls:
    provider: env
    variable: TLS_KEY_VALUE
  db:
    provider: env
    variables:
      password: DB_PASSWORD_VALUE
      pin: DB_PIN_VALUE
env:
  TLS_KEY: secret://tls
  DB_PASSWORD: secret://db/password
`
const shortManifest = manifest.replace(
  '  DB_PASSWORD: secret://db/password\n',
  '  DB_PASSWORD: secret://db/password\n  DB_PIN: secret://db/pin\n',
)
const values = {
  TLS_KEY_VALUE: PEM,
  DB_PASSWORD_VALUE: 'pw-77e1-not-real',
  DB_PIN_VALUE: 'Qz',
}

let project: FixtureProject
beforeAll(() => {
  assertBuilt()
  project = makeProject({ '@floe/cli': 'apps/floe', '@floe/provider-env': 'packages/provider-env' })
  project.write('floe.yaml', manifest)
  project.write('short.yaml', shortManifest)
})

const run = (args: string[], extra: Record<string, string> = {}) =>
  runFloe(args, { cwd: project.dir, env: { ...values, ...extra } })

interface ShellResult {
  code: number
  stdout: Buffer
  stderr: string
}

/** Runs a bash line in the project where `floe` is the built CLI (bytes kept as they are). */
function shell(line: string, timeoutMs = 60_000): Promise<ShellResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('bash', ['-c', `floe() { "$NODE_BIN" "$FLOE_BIN" "$@"; }; ${line}`], {
      cwd: project.dir,
      env: {
        ...isolatedEnv(join(project.dir, '.home'), values),
        NODE_BIN: process.execPath,
        FLOE_BIN: floeBin,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolveRun({ code: code ?? -1, stdout: Buffer.concat(out), stderr })
    })
  })
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** Starts `floe secrets exec ARGS…` in the project with piped stdio (tests that talk to it). */
const spawnFloeExec = (args: string[], options: { detached?: boolean } = {}) =>
  spawn(process.execPath, [floeBin, 'secrets', 'exec', ...args], {
    cwd: project.dir,
    env: isolatedEnv(join(project.dir, '.home'), values),
    stdio: ['pipe', 'pipe', 'pipe'],
    ...options,
  })

describe('floe secrets exec: masking on bytes', () => {
  it('masks a PEM key re-indented, with CRLF, or one line of it', async () => {
    const lines = PEM.split('\n')
    for (const script of [
      'printf "%s\\n" "$TLS_KEY" | sed "s/^/    /"',
      'printf "%s\\n" "$TLS_KEY" | sed "s/$/\\r/"',
      'printf "%s\\n" "$TLS_KEY" | sed -n 2p',
    ]) {
      const result = await run(['secrets', 'exec', '--', 'sh', '-c', script])
      expect(result.code).toBe(0)
      for (const line of lines) expect(result.stdout).not.toContain(line)
      expect(result.stdout).toContain('[REDACTED]')
    }
  })

  it('masks encoded forms of a value (base64, URL-encoded)', async () => {
    const result = await run([
      'secrets',
      'exec',
      '--',
      process.execPath,
      '-e',
      'const v = process.env.DB_PASSWORD; console.log(Buffer.from(v).toString("base64"), encodeURIComponent(v + "/x"))',
    ])
    expect(result.code).toBe(0)
    expect(result.stdout).not.toContain(Buffer.from(values.DB_PASSWORD_VALUE).toString('base64'))
    expect(result.stdout).not.toContain(values.DB_PASSWORD_VALUE)
  })

  it('passes 1 MB of random bytes through byte-exact', async () => {
    const bytes = randomBytes(1_000_000)
    project.write('random.bin', bytes as unknown as string)
    const result = await shell('floe secrets exec -- cat random.bin')
    expect(result.code).toBe(0)
    expect(result.stdout.length).toBe(bytes.length)
    expect(sha256(result.stdout)).toBe(sha256(bytes))
  })

  it('passes a 9.6 MB emoji file through byte-exact', async () => {
    const text = Buffer.from('😀🎉👩‍💻𝄞 '.repeat(600_000)).subarray(0, 9_600_000)
    project.write('emoji.txt', text as unknown as string)
    const result = await shell('floe secrets exec -- cat emoji.txt')
    expect(result.code).toBe(0)
    expect(sha256(result.stdout)).toBe(sha256(text))
  })

  it('shows a prompt without a newline before the user answers', async () => {
    const child = spawnFloeExec([
      '--',
      'sh',
      '-c',
      'printf "Enter name: "; read name; echo "hello $name"',
    ])
    let stdout = ''
    const prompted = new Promise<boolean>((resolvePrompt) => {
      const timer = setTimeout(() => resolvePrompt(false), 30_000)
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString()
        if (stdout.includes('Enter name: ')) {
          clearTimeout(timer)
          resolvePrompt(true)
        }
      })
    })
    const sawPrompt = await prompted
    child.stdin.end('ada\n')
    const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)))
    expect(sawPrompt).toBe(true)
    expect(code).toBe(0)
    expect(stdout).toBe('Enter name: hello ada\n')
  })

  it('ends when its reader closes early, with the exit the child gets (141)', async () => {
    const result = await shell(
      'floe secrets exec -- yes | head -1; echo "floe=${PIPESTATUS[0]}"',
      60_000,
    )
    const text = result.stdout.toString()
    expect(text).toBe('y\nfloe=141\n')
  })
})

describe('floe secrets exec: --json and terminals', () => {
  it("--json: stdout is exactly one JSON document; the child's stdout goes to stderr, masked", async () => {
    const script = `echo '{"x":1}'; echo "text $DB_PASSWORD"`
    for (const mask of [[], ['--no-mask']]) {
      const result = await run(['secrets', 'exec', '--json', ...mask, '--', 'sh', '-c', script])
      expect(result.code).toBe(0)
      const envelope = JSON.parse(result.stdout) as { status: string; result: unknown }
      expect(envelope.status).toBe('ok')
      expect(envelope.result).toMatchObject({
        exitCode: 0,
        injected: expect.arrayContaining(['DB_PASSWORD']),
      })
      expect(result.stderr).toContain('{"x":1}\n')
    }
    const masked = await run(['secrets', 'exec', '--json', '--', 'sh', '-c', script])
    expect(masked.stderr).toContain('text [REDACTED]\n')
    expect(masked.stdout + masked.stderr).not.toContain(values.DB_PASSWORD_VALUE)
  })

  it.skipIf(!ptyTestable)(
    "gives the child a terminal when floe's stdout is one, and still masks it",
    async () => {
      const script = 'if [ -t 1 ]; then echo "stdout is a tty"; fi; echo "pw $DB_PASSWORD"'
      const { code, output } = await runInPty(
        [process.execPath, floeBin, 'secrets', 'exec', '--', 'sh', '-c', script],
        { cwd: project.dir, env: isolatedEnv(join(project.dir, '.home'), values) },
      )
      expect(code).toBe(0)
      expect(output).toContain('stdout is a tty\n')
      expect(output).toContain('pw [REDACTED]\n')
      expect(output).not.toContain(values.DB_PASSWORD_VALUE)
    },
  )

  it.skipIf(!ptyTestable)(
    'Ctrl-C typed on the terminal reaches the child in its pty once',
    async () => {
      const counter =
        'let n = 0; process.on("SIGINT", () => { n++; setTimeout(() => { console.log("sigint=" + n); process.exit(0) }, 500) }); console.log("ready"); setInterval(() => {}, 1000)'
      const { code, output } = await runInPty(
        [process.execPath, floeBin, 'secrets', 'exec', '--', process.execPath, '-e', counter],
        {
          cwd: project.dir,
          env: isolatedEnv(join(project.dir, '.home'), values),
          type: { after: 'ready', text: '\x03' },
        },
      )
      expect(output).toContain('sigint=1\n')
      expect(code).toBe(0)
    },
  )
})

describe('floe secrets exec: short values, environment, signals', () => {
  it('warns by name about values too short to mask; --strict-mask refuses', async () => {
    const warned = await run(['secrets', 'exec', '-m', 'short.yaml', '--', 'sh', '-c', 'echo ran'])
    expect(warned.code).toBe(0)
    expect(warned.stdout).toBe('ran\n')
    expect(warned.stderr).toMatch(/DB_PIN \(secret:\/\/db\/pin\)/)
    expect(warned.stderr).toMatch(/cannot be masked/)
    expect(warned.stderr).not.toContain(values.DB_PIN_VALUE)
    const strict = await run([
      'secrets',
      'exec',
      '-m',
      'short.yaml',
      '--strict-mask',
      '--',
      'sh',
      '-c',
      'echo ran',
    ])
    expect(strict.code).toBe(2)
    expect(strict.stdout).not.toContain('ran')
    expect(strict.stderr).toMatch(/DB_PIN/)
  })

  it("keeps floe's back-end credentials out of the child unless --pass-env says so", async () => {
    const creds = {
      VAULT_TOKEN: 'hvs.floe-own-token',
      AWS_SECRET_ACCESS_KEY: 'floe-own-aws-key',
      VAULT_ADDR: 'http://127.0.0.1:1',
    }
    const script = 'echo "[$VAULT_TOKEN][$AWS_SECRET_ACCESS_KEY][$VAULT_ADDR]"'
    const stripped = await run(['secrets', 'exec', '--', 'sh', '-c', script], creds)
    expect(stripped.code).toBe(0)
    expect(stripped.stdout).toBe('[][][http://127.0.0.1:1]\n')
    const passed = await run(
      ['secrets', 'exec', '--pass-env', 'VAULT_TOKEN', '--', 'sh', '-c', script],
      creds,
    )
    expect(passed.stdout).toBe('[hvs.floe-own-token][][http://127.0.0.1:1]\n')
  })

  it('delivers a SIGINT sent to floe’s process group to the child once', async () => {
    const counter =
      'let n = 0; process.on("SIGINT", () => { n++; setTimeout(() => { console.log("sigint=" + n); process.exit(0) }, 500) }); console.log("ready"); setInterval(() => {}, 1000)'
    // floe leads its own process group, as a shell job would
    const child = spawnFloeExec(['--', process.execPath, '-e', counter], { detached: true })
    let stdout = ''
    await new Promise<void>((resolveReady, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line: ${stdout}`)), 30_000)
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString()
        if (stdout.includes('ready')) {
          clearTimeout(timer)
          resolveReady()
        }
      })
    })
    process.kill(-child.pid!, 'SIGINT')
    const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)))
    expect(stdout).toContain('sigint=1\n')
    expect(code).toBe(0)
  })
})

/** True while `pid` runs (a zombie waiting for its reaper counts as gone). */
const running = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

describe('floe secrets exec: a killed floe takes its child along', () => {
  it.skipIf(process.platform !== 'linux' || !existsSync('/usr/bin/setpriv'))(
    'SIGKILL of floe kills the child (Linux, setpriv --pdeathsig)',
    async () => {
      const child = spawnFloeExec([
        '--',
        process.execPath,
        '-e',
        'console.log("pid=" + process.pid); setInterval(() => {}, 1000)',
      ])
      let stdout = ''
      const pid = await new Promise<number>((resolvePid, reject) => {
        const timer = setTimeout(() => reject(new Error(`no pid line: ${stdout}`)), 30_000)
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString()
          const found = /pid=(\d+)\n/.exec(stdout)
          if (found) {
            clearTimeout(timer)
            resolvePid(Number(found[1]))
          }
        })
      })
      try {
        expect(running(pid)).toBe(true)
        child.kill('SIGKILL')
        await new Promise((r) => child.on('close', r))
        for (let i = 0; i < 100 && running(pid); i++) await new Promise((r) => setTimeout(r, 100))
        expect(running(pid)).toBe(false)
      } finally {
        if (running(pid)) process.kill(pid, 'SIGKILL')
      }
    },
  )
})

describe('floe secrets inject: failures leave nothing behind', () => {
  it('a directory as -o is a usage error naming it, and no temporary file remains', async () => {
    project.write('app.tmpl', 'password=secret://db/password\n')
    project.write('outdir/keep.txt', 'x')
    const result = await run(['secrets', 'inject', '-i', 'app.tmpl', '-o', 'outdir'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/outdir/)
    expect(result.stderr).not.toMatch(/EISDIR/)
    expect(readdirSync(project.dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
    expect(readdirSync(join(project.dir, 'outdir'))).toEqual(['keep.txt'])
    expect(readFileSync(join(project.dir, 'app.tmpl'), 'utf8')).not.toContain('pw-77e1')
  })
})
