/**
 * examples/platform (seed 004's manifest): `emit dbt` writes the ADR's profile lines,
 * env_var('SNOWFLAKE_ACCOUNT') and so on, from env_naming alone (no `env:` map), and real Jinja2
 * with dbt's env_var renders it from the names envFrom gives the pod.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadManifestFromString } from '@floe/core'
import { renderProfiles } from '../src/index.js'
import { python } from './python.js'

const example = readFileSync(
  join(import.meta.dirname, '..', '..', '..', 'examples', 'platform', 'manifest.yaml'),
  'utf8',
)

describe('examples/platform emits the ADR profile', () => {
  it("reads env_var('SNOWFLAKE_ACCOUNT'), env_var('SNOWFLAKE_USER'), env_var('SNOWFLAKE_PASSWORD')", async () => {
    const manifest = await loadManifestFromString(example, { file: 'manifest.yaml', env: {} })
    const { yaml, bindings, warnings } = renderProfiles(manifest)
    // seed 004, "DBT PROFILE"
    expect(yaml).toContain(`account: "{{ env_var('SNOWFLAKE_ACCOUNT') }}"`)
    expect(yaml).toContain(`user: "{{ env_var('SNOWFLAKE_USER') }}"`)
    expect(yaml).toContain(`password: "{{ env_var('SNOWFLAKE_PASSWORD') }}"`)
    expect(bindings.map((b) => b.name)).toEqual([
      'SNOWFLAKE_ACCOUNT',
      'SNOWFLAKE_USER',
      'SNOWFLAKE_PASSWORD',
    ])
    expect(warnings).toEqual([
      'profiles.yml reads SNOWFLAKE_ACCOUNT, SNOWFLAKE_PASSWORD, SNOWFLAKE_USER without the DBT_ENV_SECRET_ prefix (env_naming.dbt_prefix): dbt does not scrub their values from its logs',
    ])

    const dir = mkdtempSync(join(tmpdir(), 'floe-dbt-adr-'))
    try {
      writeFileSync(join(dir, 'profiles.yml'), yaml)
      const result = spawnSync(
        python,
        [join(import.meta.dirname, 'render_profiles.py'), join(dir, 'profiles.yml')],
        {
          env: {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            SNOWFLAKE_ACCOUNT: 'xy12345.us-east-1',
            SNOWFLAKE_USER: 'dbt_user',
            SNOWFLAKE_PASSWORD: 'sandbox-snowflake-password',
          },
          encoding: 'utf8',
        },
      )
      expect(result.stderr.trim()).toBe('')
      expect(JSON.parse(result.stdout).floe.outputs.prod).toEqual({
        type: 'snowflake',
        account: 'xy12345.us-east-1',
        user: 'dbt_user',
        password: 'sandbox-snowflake-password',
        database: 'ANALYTICS',
        schema: 'dbt_prod',
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
