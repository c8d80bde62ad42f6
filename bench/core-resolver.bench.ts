import { it } from 'vitest'
import { performance } from 'node:perf_hooks'
import {
  createProviderRegistry,
  createResolver,
  parseSecretRef,
  selectKey,
  silentLogger,
  type FetchOutcome,
  type SecretRef,
} from '@floe/core'
import {
  createMemoryProvider,
  memoryProviderModule,
  testManifest,
  type TestDefinition,
} from '@floe/core/testing'
import { median, report } from './report.js'

const SECRETS = 2_000
const REFS = 10_000
const BATCH = 20

// Medians skip the first runs (JIT warm-up). Resolver overhead: planning, dedupe, batching, key selection and report building per
// reference, with an in-memory provider that costs (almost) nothing per call.
it('core resolver overhead per reference', async () => {
  const data: Record<string, Record<string, string>> = {}
  const secrets: Record<string, TestDefinition> = {}
  for (let i = 0; i < SECRETS; i += 1) {
    data[`s${i}`] = { user: `user-${i}`, password: `password-${i}` }
    secrets[`s${i}`] = { provider: 'memory', fields: { id: `s${i}` } }
  }
  const refs: SecretRef[] = Array.from({ length: REFS }, (_, i) =>
    parseSecretRef(`secret://s${i % SECRETS}/${i % 2 ? 'user' : 'password'}`),
  )
  const manifest = testManifest(secrets)
  const runs: number[] = []
  let calls = 0
  for (let run = 0; run < 15; run += 1) {
    const provider = createMemoryProvider({ data, batchSize: BATCH })
    const resolver = createResolver({
      manifest,
      catalog: createProviderRegistry({ modules: [memoryProviderModule(provider)] }),
    })
    const start = performance.now()
    const result = await resolver.resolve(refs)
    runs.push(performance.now() - start)
    if (result.failures.length) throw new Error(`unexpected failures: ${result.failures.length}`)
    calls = provider.calls.fetch
    await resolver.dispose()
  }
  const perRef = Math.round((median(runs.slice(5)) * 1000) / REFS)
  report({
    name: `core: resolve time per reference (${REFS} refs, ${SECRETS} secrets, memory provider)`,
    value: perRef,
    unit: 'µs/ref',
  })

  // Baseline: the same provider calls made by hand (batches of 20, then key selection), so
  // the ratio shows what planning/caching/reporting adds, independent of machine load.
  const baselineRuns: number[] = []
  const ctx = { env: {}, cwd: process.cwd(), logger: silentLogger }
  for (let run = 0; run < 15; run += 1) {
    const provider = createMemoryProvider({ data, batchSize: BATCH })
    const start = performance.now()
    const ids = Object.keys(data)
    const fetched = new Map<string, FetchOutcome>()
    await Promise.all(
      Array.from({ length: Math.ceil(ids.length / BATCH) }, async (_, b) => {
        const chunk = ids.slice(b * BATCH, (b + 1) * BATCH)
        const outcomes = await provider.fetchMany!(
          chunk.map((id) => ({ secret: id, config: { id } })),
          ctx,
        )
        chunk.forEach((id, i) => fetched.set(id, outcomes[i]!))
      }),
    )
    const values = new Map<string, unknown>()
    for (const r of refs) {
      const outcome = fetched.get(r.name)!
      if (outcome.ok) values.set(`${r.name}/${r.key}`, selectKey(outcome.secret, r.name, r.key))
    }
    baselineRuns.push(performance.now() - start)
  }
  const ratio = Math.round((median(runs.slice(5)) / median(baselineRuns.slice(5))) * 100) / 100
  report({
    name: 'core: resolver time / hand-written fetch loop (same provider calls)',
    value: ratio,
    unit: '×',
  })
  const minimum = Math.ceil(SECRETS / BATCH)
  report({
    name: `core: provider calls for ${SECRETS} distinct secrets at batch ${BATCH}`,
    value: calls,
    unit: 'calls',
    target: `= ${minimum} (⌈n/batch⌉)`,
    ok: calls === minimum,
  })

  // Cached: the same refs again on a warm resolver (long-running service path).
  const provider = createMemoryProvider({ data, batchSize: BATCH })
  const warm = createResolver({
    manifest,
    catalog: createProviderRegistry({ modules: [memoryProviderModule(provider)] }),
    mode: 'long-running',
  })
  await warm.resolve(refs)
  const cachedRuns: number[] = []
  for (let run = 0; run < 25; run += 1) {
    const start = performance.now()
    await warm.resolve(refs)
    cachedRuns.push(performance.now() - start)
  }
  cachedRuns.splice(0, 10) // JIT warm-up
  report({
    name: 'core: cached resolve per reference (warm long-running resolver)',
    value: Math.round((median(cachedRuns) * 1000) / REFS),
    unit: 'µs/ref',
  })
  report({
    name: 'core: repeated provider calls inside the cache TTL',
    value: provider.calls.fetch - minimum,
    unit: 'calls',
    target: '= 0',
    ok: provider.calls.fetch === minimum,
  })
  await warm.dispose()
})

// Target (bench/README.md): 500 distinct remote secrets at 25 ms latency must come within 1.3× of the
// concurrency-bound ideal (⌈500 / 8⌉ sequential rounds of 25 ms).
it('core resolver scheduling at 25 ms provider latency', async () => {
  const n = 500
  const latency = 25
  const concurrency = 8
  const data: Record<string, string> = {}
  const secrets: Record<string, TestDefinition> = {}
  for (let i = 0; i < n; i += 1) {
    data[`r${i}`] = `value-${i}`
    secrets[`r${i}`] = { provider: 'memory', fields: { id: `r${i}` } }
  }
  const manifest = testManifest(secrets, { concurrency })
  const refs = Object.keys(data).map((id) => parseSecretRef(`secret://${id}`))
  const runs: number[] = []
  for (let run = 0; run < 3; run += 1) {
    const provider = createMemoryProvider({ data, latencyMs: latency })
    const resolver = createResolver({
      manifest,
      catalog: createProviderRegistry({ modules: [memoryProviderModule(provider)] }),
    })
    const start = performance.now()
    const result = await resolver.resolve(refs)
    runs.push(performance.now() - start)
    if (result.values.size !== n) throw new Error('unexpected failures')
    await resolver.dispose()
  }
  const ideal = Math.ceil(n / concurrency) * latency
  const ratio = Math.round((median(runs) / ideal) * 100) / 100
  report({
    name: `core: ${n} secrets at ${latency} ms latency, concurrency ${concurrency} / ideal (${ideal} ms)`,
    value: ratio,
    unit: '×',
    target: '≤ 1.3×',
    ok: ratio <= 1.3,
  })
})
