import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import {
  createProviderRegistry,
  createResolver,
  watchSecrets,
  type DescribeResult,
  type SecretDefinition,
  type SecretProvider,
} from '@floe/core'
import { createMemoryProvider, memoryProviderModule, testManifest } from '@floe/core/testing'
import { provider as awsProvider } from '@floe/provider-aws-secrets-manager'
import { preferNodeBuildsOfAwsSdk, startAwsEmulator } from '@floe/testkit'
import { it } from 'vitest'
import { median, report } from './report.js'

// Watch-mode targets (bench/README.md): describe calls per interval = ⌈watched secrets / batch⌉ per provider,
// idle CPU ≈ 0, and how fast `exec --watch` reacts to a change, as a ratio of the interval.
preferNodeBuildsOfAwsSdk()
const { SecretsManagerClient } = createRequire(import.meta.url)(
  '@aws-sdk/client-secrets-manager',
) as typeof import('@aws-sdk/client-secrets-manager')

const N = 100
const POLLS = 5

it(`watch: describe calls per interval for ${N} watched secrets`, async () => {
  // 1. AWS Secrets Manager (real SDK, emulator): DescribeSecret has no batch form → N per poll.
  const emu = await startAwsEmulator()
  const client = new SecretsManagerClient({ ...emu.clientConfig(), maxAttempts: 1 })
  const secrets: Record<string, SecretDefinition> = {}
  for (let i = 0; i < N; i += 1) {
    emu.putSecret(`watch/s${i}`, { password: `v${i}` })
    secrets[`s${i}`] = {
      name: `s${i}`,
      provider: 'aws_secrets_manager',
      fields: { secret_id: `watch/s${i}` },
      kind: 'static',
    }
  }
  const resolver = createResolver({
    manifest: { secrets, config: { concurrency: 8 } },
    catalog: createProviderRegistry({ modules: [awsProvider] }),
    providerOptions: { aws_secrets_manager: { client } },
    mode: 'long-running',
  })
  const manifest = { secrets, config: { concurrency: 8 } }
  const watcher = watchSecrets({
    resolver,
    manifest,
    secrets: Object.keys(secrets),
    onEvent: () => {},
  })
  await watcher.ready
  const before = emu.calls.count('DescribeSecret')
  for (let i = 0; i < POLLS; i += 1) await watcher.check()
  const perPoll = (emu.calls.count('DescribeSecret') - before) / POLLS
  const valueReads = emu.calls.count('GetSecretValue') + emu.calls.count('BatchGetSecretValue')
  watcher.stop()
  await resolver.dispose()
  client.destroy()
  await emu.close()
  report({
    name: `watch: DescribeSecret calls per interval, ${N} AWS Secrets Manager secrets (no batch metadata API: batch = 1)`,
    value: perPoll,
    unit: 'calls',
    target: `= ⌈${N}/1⌉ = ${N}`,
    ok: perPoll === N,
  })
  report({
    name: `watch: GetSecretValue calls made by ${POLLS} polls of ${N} secrets (metadata only)`,
    value: valueReads,
    unit: 'calls',
    target: '0',
    ok: valueReads === 0,
  })

  // 2. A provider with describeMany (batch 20): ⌈N/20⌉ calls per poll.
  const memory = createMemoryProvider({
    data: Object.fromEntries(Array.from({ length: N }, (_, i) => [`m${i}`, `v${i}`])),
  })
  let batchCalls = 0
  const batching = Object.assign(Object.create(memory) as SecretProvider, {
    maxDescribeBatchSize: 20,
    async describeMany(requests, ctx): Promise<DescribeResult[]> {
      batchCalls += 1
      return Promise.all(
        requests.map(async (r) => ({
          ok: true as const,
          metadata: await memory.describe!(r, ctx),
        })),
      )
    },
  } satisfies Partial<SecretProvider>)
  const memoryManifest = testManifest(
    Object.fromEntries(
      Array.from({ length: N }, (_, i) => [
        `m${i}`,
        { provider: 'memory', fields: { id: `m${i}` } },
      ]),
    ),
  )
  const memoryResolver = createResolver({
    manifest: memoryManifest,
    catalog: createProviderRegistry({ modules: [memoryProviderModule(batching)] }),
  })
  const batchWatcher = watchSecrets({
    resolver: memoryResolver,
    manifest: memoryManifest,
    secrets: Object.keys(memoryManifest.secrets),
    onEvent: () => {},
  })
  await batchWatcher.ready
  batchCalls = 0
  for (let i = 0; i < POLLS; i += 1) await batchWatcher.check()
  batchWatcher.stop()
  await memoryResolver.dispose()
  report({
    name: `watch: describeMany calls per interval, ${N} secrets, provider batch 20`,
    value: batchCalls / POLLS,
    unit: 'calls',
    target: `= ⌈${N}/20⌉ = ${Math.ceil(N / 20)}`,
    ok: batchCalls / POLLS === Math.ceil(N / 20),
  })
})

it('watch: idle CPU of a watcher (100 secrets, 1 s interval, 60 s window)', async () => {
  const WINDOW_MS = 60_000
  const memory = createMemoryProvider({
    data: Object.fromEntries(Array.from({ length: N }, (_, i) => [`m${i}`, `v${i}`])),
  })
  const manifest = testManifest(
    Object.fromEntries(
      Array.from({ length: N }, (_, i) => [
        `m${i}`,
        {
          provider: 'memory',
          fields: { id: `m${i}` },
          rotation: { autoRefresh: true, refreshIntervalMs: 1_000 },
        },
      ]),
    ),
  )
  const resolver = createResolver({
    manifest,
    catalog: createProviderRegistry({ modules: [memoryProviderModule(memory)] }),
  })
  const watcher = watchSecrets({
    resolver,
    manifest,
    secrets: Object.keys(manifest.secrets),
    onEvent: () => {},
  })
  await watcher.ready
  const cpu = process.cpuUsage()
  const start = performance.now()
  await new Promise((r) => setTimeout(r, WINDOW_MS))
  const used = process.cpuUsage(cpu)
  const wall = performance.now() - start
  const polls = watcher.stats.polls
  watcher.stop()
  await resolver.dispose()
  const percent = ((used.user + used.system) / 1000 / wall) * 100
  report({
    name: `watch: CPU of the test process while a watcher of ${N} secrets idles (${polls} polls in ${Math.round(wall / 1000)} s; includes vitest)`,
    value: Math.round(percent * 100) / 100,
    unit: '% of one core',
    target: '≈ 0 (< 1 %)',
    ok: percent < 1,
  })
})

it('watch: exec --watch reaction latency (back-end change → child restarted) / interval', async () => {
  const repo = resolve(import.meta.dirname, '..')
  const floe = join(repo, 'apps/floe/bin/run.cjs')
  if (!existsSync(join(repo, 'apps/floe/dist')))
    throw new Error('run `pnpm build` before `pnpm bench watch`')
  const INTERVAL_MS = 2_000
  const dir = mkdtempSync(join(repo, 'bench', 'results', 'watch-'))
  writeFileSync(join(dir, 'db.json'), JSON.stringify({ password: 'v0' }), { mode: 0o600 })
  writeFileSync(
    join(dir, 'floe.yaml'),
    `secrets:\n  db:\n    provider: file\n    path: db.json\n    keys: [password]\n    rotation:\n      refresh_interval: ${INTERVAL_MS}ms\n      on_rotation: { action: restart, grace_period: 5s }\n`,
  )
  const child = spawn(
    process.execPath,
    [
      floe,
      'secrets',
      'exec',
      '--watch',
      '--json',
      '--',
      process.execPath,
      '-e',
      'setInterval(()=>{},1e9)',
    ],
    {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', HOME: mkdtempSync(join(tmpdir(), 'floe-bench-home-')) },
    },
  )
  const waiters: ((event: { event: string }) => void)[] = []
  let buffer = ''
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    let nl
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
      try {
        const event = JSON.parse(line) as { event: string }
        for (const w of waiters.splice(0)) w(event)
      } catch {
        // not an event
      }
    }
  })
  const next = (name: string) =>
    new Promise<void>((done) => {
      const wait = (event: { event: string }) =>
        event.event === name ? done() : waiters.push(wait)
      waiters.push(wait)
    })
  await next('started')
  const ratios: number[] = []
  for (let i = 1; i <= 5; i += 1) {
    const restarted = next('restarted')
    const start = performance.now()
    writeFileSync(join(dir, 'db.json'), JSON.stringify({ password: `v${i}` }))
    await restarted
    ratios.push((performance.now() - start) / INTERVAL_MS)
  }
  child.kill('SIGTERM')
  report({
    name: `watch: exec --watch change → child restarted, median of 5, file provider, ${INTERVAL_MS} ms interval`,
    value: Math.round(median(ratios) * 100) / 100,
    unit: '× interval',
    target: '≤ 1.5× (one poll + debounce + restart)',
    ok: median(ratios) <= 1.5,
  })
})
