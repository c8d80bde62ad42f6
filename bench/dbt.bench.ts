import { performance } from 'node:perf_hooks'
import { it } from 'vitest'
import type { LoadedManifest } from '@floe/core'
import { renderProfiles } from '@floe/emit-dbt'
import { median, report } from './report.js'

const TARGETS = 100

function manifestWith(count: number): LoadedManifest {
  const outputs: Record<string, Record<string, unknown>> = {}
  for (let i = 0; i < count; i += 1) {
    outputs[`t${i}`] =
      i % 2 === 0
        ? {
            type: 'snowflake',
            account: 'xy12345.us-east-1',
            user: `secret://snowflake_${i}/user`,
            password: `secret://snowflake_${i}/password`,
            database: 'ANALYTICS',
            warehouse: 'TRANSFORMING',
            schema: `dbt_${i}`,
            threads: 8,
          }
        : {
            type: 'postgres',
            host: 'db.internal',
            user: 'dbt',
            password: `secret://pg_${i}/password`,
            port: `secret://pg_${i}/port`,
            dbname: 'analytics',
            schema: `dbt_${i}`,
          }
  }
  return {
    path: '<bench>',
    dir: '/tmp',
    version: 1,
    secrets: {},
    config: { concurrency: 8 },
    dbt: { profiles: { floe: { target: 't0', outputs } } },
    env: [],
    references: [],
    document: {},
    warnings: [],
    locate: () => undefined,
  }
}

it(`dbt: emit profiles.yml for ${TARGETS} targets`, () => {
  const manifest = manifestWith(TARGETS)
  const times: number[] = []
  let bindings = 0
  for (let run = 0; run < 21; run += 1) {
    const start = performance.now()
    bindings = renderProfiles(manifest).bindings.length
    times.push(performance.now() - start)
  }
  if (bindings !== 200) throw new Error(`expected 200 env bindings, got ${bindings}`)
  report({
    name: `dbt: emit profiles.yml for ${TARGETS} targets (validate + render), median of 21`,
    value: Math.round(median(times) * 100) / 100,
    unit: 'ms',
  })
})
