import {
  createProviderRegistry,
  createResolver,
  parseSecretRef,
  type SecretDefinition,
} from '@floe/core'
import { provider } from '@floe/provider-aws-secrets-manager'
import { preferNodeBuildsOfAwsSdk, startAwsEmulator, type AwsEmulator } from '@floe/testkit'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { median, report } from './report.js'

// Target (bench/README.md): provider calls are the physical minimum (⌈n/20⌉ BatchGetSecretValue calls, none
// inside the cache TTL) and 500 remote secrets at 25 ms latency resolve within 1.3× the
// concurrency-bound ideal. Real SDK, real socket, the testkit's AWS emulator.
preferNodeBuildsOfAwsSdk()
const { SecretsManagerClient } = createRequire(import.meta.url)(
  '@aws-sdk/client-secrets-manager',
) as typeof import('@aws-sdk/client-secrets-manager')

const BATCH = 20
const CONCURRENCY = 8
const LATENCY_MS = 25

let emu: AwsEmulator
let client: InstanceType<typeof SecretsManagerClient>

beforeAll(async () => {
  emu = await startAwsEmulator()
  client = new SecretsManagerClient({ ...emu.clientConfig(), maxAttempts: 1 })
})
afterAll(async () => {
  client.destroy()
  await emu.close()
})

type Seed = (name: string, data: Record<string, string>) => void

function resolverFor(
  count: number,
  keysPerSecret: number,
  seed: Seed = (n, d) => void emu.putSecret(n, d),
  sdkClient = client,
) {
  const secrets: Record<string, SecretDefinition> = {}
  const refs = []
  for (let i = 0; i < count; i++) {
    const name = `s${i}`
    const data = Object.fromEntries(
      Array.from({ length: keysPerSecret }, (_, k) => [`k${k}`, `v${i}-${k}`]),
    )
    seed(`bench/${name}`, data)
    secrets[name] = {
      name,
      provider: 'aws_secrets_manager',
      fields: { secret_id: `bench/${name}` },
      kind: 'static',
      cache: { enabled: true, ttlMs: 300_000 },
    }
    for (let k = 0; k < keysPerSecret; k++) refs.push(parseSecretRef(`secret://${name}/k${k}`))
  }
  const resolver = createResolver({
    manifest: { secrets, config: { concurrency: CONCURRENCY } },
    catalog: createProviderRegistry({ modules: [provider] }),
    providerOptions: { aws_secrets_manager: { client: sdkClient } },
    mode: 'long-running',
  })
  return { resolver, refs }
}

it('aws_secrets_manager: 1,000 references over 200 secrets → BatchGetSecretValue calls', async () => {
  emu.reset()
  const { resolver, refs } = resolverFor(200, 5)
  const first = await resolver.resolve(refs)
  expect(first.failures).toEqual([])
  expect(first.values.size).toBe(1000)
  const firstCalls = emu.calls.count()
  emu.calls.reset()
  const second = await resolver.resolve(refs)
  expect(second.failures).toEqual([])
  const secondCalls = emu.calls.count()
  await resolver.dispose()
  report({
    name: 'aws: 1,000 refs / 200 secrets, first resolve',
    value: firstCalls,
    unit: 'BatchGetSecretValue calls',
    target: '= ⌈200/20⌉ = 10',
    ok: firstCalls === 10 && emu.calls.count('GetSecretValue') === 0,
  })
  report({
    name: 'aws: second resolve inside the cache TTL',
    value: secondCalls,
    unit: 'calls',
    target: '= 0',
    ok: secondCalls === 0,
  })
})

/** The emulator in a worker thread (built testkit), driven by messages. */
async function startWorkerEmulator() {
  const repo = join(import.meta.dirname, '..')
  if (!existsSync(join(repo, 'packages/testkit/dist/index.js'))) {
    throw new Error(
      'run `pnpm build` (or `pnpm exec tsc -b packages/testkit`) before `pnpm bench aws`',
    )
  }
  // execArgv: [] drops vitest's --conditions so the worker loads the built packages
  const worker = new Worker(new URL('./aws-emulator-worker.mjs', import.meta.url), { execArgv: [] })
  const ready = await new Promise<{ clientConfig: ReturnType<AwsEmulator['clientConfig']> }>(
    (resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    },
  )
  let nextId = 0
  const call = (op: string, extra: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++nextId
      const onMessage = (msg: { id: number; result?: unknown; error?: string }) => {
        if (msg.id !== id) return
        worker.off('message', onMessage)
        if (msg.error) reject(new Error(msg.error))
        else resolve(msg.result)
      }
      worker.on('message', onMessage)
      worker.postMessage({ id, op, ...extra })
    })
  return {
    clientConfig: ready.clientConfig,
    call,
    close: async () => {
      await call('close')
      await worker.terminate()
    },
  }
}

it('aws_secrets_manager: 500 distinct secrets at 25 ms latency vs the concurrency-bound ideal', async () => {
  const remote = await startWorkerEmulator()
  const remoteClient = new SecretsManagerClient({ ...remote.clientConfig, maxAttempts: 1 })
  const ideal = Math.ceil(Math.ceil(500 / BATCH) / CONCURRENCY) * LATENCY_MS
  const items: [string, Record<string, string>][] = []
  const { refs: warmRefs, resolver: warm } = resolverFor(
    500,
    1,
    (n, d) => void items.push([n, d]),
    remoteClient,
  )
  await remote.call('putSecrets', { items })
  // warm the SDK client (connections, signer) outside the measurement
  await warm.resolve(warmRefs)
  await warm.dispose()

  const cpu: number[] = []
  async function measure(): Promise<number> {
    const samples: number[] = []
    for (let run = 0; run < 7; run++) {
      const { resolver, refs } = resolverFor(500, 1, () => {}, remoteClient)
      await remote.call('calls')
      const start = performance.now()
      const cpuStart = process.cpuUsage()
      const result = await resolver.resolve(refs)
      samples.push(performance.now() - start)
      const used = process.cpuUsage(cpuStart)
      cpu.push((used.user + used.system) / 1000)
      expect(result.failures).toEqual([])
      expect(await remote.call('calls')).toEqual({ BatchGetSecretValue: 25 })
      await resolver.dispose()
    }
    return median(samples)
  }
  // the same work without injected latency: the client's own CPU (SDK, resolver) on this machine
  const overhead = await measure()
  await remote.call('latency', { operation: 'BatchGetSecretValue', ms: LATENCY_MS })
  const wall = await measure()
  remoteClient.destroy()
  await remote.close()
  const ratio = wall / ideal
  report({
    name: 'aws: 500 secrets, no injected latency (client overhead), wall (median of 7)',
    value: Number(overhead.toFixed(1)),
    unit: 'ms',
  })
  report({
    // process CPU (client; the emulator thread is mostly idle): shows whether the run is CPU-bound
    name: 'aws: 500 secrets, process CPU per resolve (median, 25 BatchGetSecretValue calls)',
    value: Number(median(cpu).toFixed(1)),
    unit: 'ms',
  })
  report({
    name: 'aws: 500 secrets at 25 ms, wall (median of 7)',
    value: Number(wall.toFixed(1)),
    unit: 'ms',
  })
  report({
    name: 'aws: 500 secrets at 25 ms / ideal (⌈25 batches / 8⌉ × 25 ms = 100 ms)',
    value: Number(ratio.toFixed(2)),
    unit: '×',
    target: '≤ 1.3×',
    ok: ratio <= 1.3,
  })
})
