import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { it } from 'vitest'
import { DuckDBInstance } from '@duckdb/node-api'
import {
  SecretValue,
  refId,
  type LoadedManifest,
  type ResolveReport,
  type SecretRef,
} from '@floe/core'
import { applySecrets, planDuckdbSecrets, renderCreateSecret } from '@floe/emit-duckdb'
import { median, report } from './report.js'

const COUNT = 1_000

function manifestWith(count: number): LoadedManifest {
  const secrets = Array.from({ length: count }, (_, i) => ({
    type: 'http',
    name: `api_${i}`,
    bearer_token: `secret://api_${i}/token`,
    scope: `https://api.example.com/${i}/`,
  }))
  return {
    path: '<bench>',
    dir: tmpdir(),
    version: 1,
    secrets: {},
    config: { concurrency: 8 },
    duckdb: { secrets },
    env: [],
    references: [],
    document: {},
    warnings: [],
    locate: () => undefined,
  }
}

// The resolver is not what is measured here: an in-memory one answers at once.
const resolver = {
  async resolve(refs: readonly SecretRef[]): Promise<ResolveReport> {
    const values = new Map(refs.map((ref) => [refId(ref), new SecretValue(`token-${ref.name}`)]))
    return { values, failures: [], warnings: [], valueOf: (ref) => values.get(refId(ref)) }
  },
}

it(`duckdb: apply ${COUNT} temporary secrets to an in-memory database`, async () => {
  const manifest = manifestWith(COUNT)
  const secretDirectory = mkdtempSync(join(tmpdir(), 'floe-bench-duckdb-'))
  const times: number[] = []
  const cpu: number[] = []
  for (let run = 0; run < 7; run += 1) {
    const instance = await DuckDBInstance.create(':memory:', {
      secret_directory: secretDirectory,
      autoload_known_extensions: 'false',
    })
    const connection = await instance.connect()
    const start = performance.now()
    const cpuStart = process.cpuUsage()
    const result = await applySecrets(connection, manifest, { resolver })
    times.push(performance.now() - start)
    const used = process.cpuUsage(cpuStart)
    cpu.push((used.user + used.system) / 1000)
    if (result.verified.length !== COUNT || result.verified.some((v) => !v.ok)) {
      throw new Error('bench run did not verify every secret')
    }
    connection.closeSync()
    instance.closeSync()
  }
  // The floor: DuckDB executing the same CREATE statements, pre-rendered, in one run.
  const values = await resolver.resolve(
    manifest.duckdb!.secrets!.map((s) => ({ name: s.name, key: 'token' })),
  )
  const sql = planDuckdbSecrets(manifest)
    .secrets.map((s) => renderCreateSecret(s, values))
    .join('\n')
  const floor: number[] = []
  for (let run = 0; run < 7; run += 1) {
    const instance = await DuckDBInstance.create(':memory:', { secret_directory: secretDirectory })
    const connection = await instance.connect()
    const start = performance.now()
    await connection.run(sql)
    floor.push(performance.now() - start)
    connection.closeSync()
    instance.closeSync()
  }
  const floorMs = Math.round(median(floor))
  report({
    name: `duckdb: raw DuckDB executing the same ${COUNT} CREATE SECRET statements, median of 7`,
    value: floorMs,
    unit: 'ms',
  })
  const value = Math.round(median(times))
  // On a loaded machine wall time mostly measures waiting for a core; CPU time (all DuckDB
  // threads included) is what the apply itself costs.
  report({
    name: `duckdb: apply ${COUNT} temporary secrets, process CPU time, median of 7`,
    value: Math.round(median(cpu)),
    unit: 'ms',
  })
  report({
    name: 'duckdb: floe apply / raw DuckDB create (overhead ratio)',
    value: Math.round((value / floorMs) * 100) / 100,
    unit: '×',
  })
  report({
    name: `duckdb: apply ${COUNT} temporary secrets (plan + resolve + create + verify), median of 7`,
    value,
    unit: 'ms',
    target: '≤ 300 ms',
    ok: value <= 300,
  })
})
