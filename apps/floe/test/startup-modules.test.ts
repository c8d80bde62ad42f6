/**
 * What a start loads (issue 17): zod (≈ 400 KB, a tenth of `validate --offline`'s start) is
 * imported only when something needs a schema. A module hook run in the floe process records
 * every module it loads; zod is recognised by its source (bundled into @floe/core's chunks, it
 * keeps esbuild's `node_modules/zod/` path comments) or by its own path. The env and file
 * providers vouch for their fields by hand (ProviderModule.vouchesForConfig). Nor does it load a
 * CommonJS module (each costs the ESM loader's CommonJS translator and export lexer).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, makeProject, runFloe } from './helpers.js'

beforeAll(() => assertBuilt())

const HOOKS = [
  "import { appendFileSync } from 'node:fs'",
  'export async function load(url, context, next) {',
  '  const loaded = await next(url, context)',
  "  const source = loaded.source == null ? '' : String(loaded.source)",
  "  const zod = /[/]zod[/]/.test(url) || source.includes('/node_modules/zod/')",
  "  appendFileSync(process.env.FLOE_TEST_MODULE_LOG, [zod ? 'zod' : '-', loaded.format, url].join(' ') + '\\n')",
  '  return loaded',
  '}',
].join('\n')

const envSecrets = Array.from(
  { length: 5 },
  (_, i) => `  db_${i}:\n    provider: env\n    variables:\n      user: DB_USER_${i}\n`,
).join('')

const values = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`DB_USER_${i}`, 'u']))

describe('modules a start loads', () => {
  const project = makeProject({ '@floe/provider-env': 'packages/provider-env' })
  project.write('db.json', '{"password": "p"}', 0o600)
  const fileSecret = '  db_file:\n    provider: file\n    path: db.json\n    keys: [password]\n'
  project.write('floe.yaml', `secrets:\n${envSecrets}${fileSecret}`)
  project.write(
    'scoped.yaml',
    `secrets:\n${envSecrets}scopes:\n  team:\n    secrets: [db_0]\naccess:\n  - { principal: 'user:a@example.com', role: reader, scope: team }\n`,
  )
  project.write('unsure.yaml', 'secrets:\n  db:\n    provider: env\n    variable: 42\n')
  project.write('hooks.mjs', HOOKS)
  const register = project.write(
    'register.mjs',
    "import { register } from 'node:module'\nregister('./hooks.mjs', import.meta.url)\n",
  )

  async function modulesOf(args: string[]) {
    const log = join(project.dir, `modules-${args.join('-').replace(/[^\w-]/g, '')}.log`)
    project.write(log.slice(project.dir.length + 1), '')
    const env = { NODE_OPTIONS: `--import ${pathToFileURL(register).href}` }
    const result = await runFloe(args, {
      cwd: project.dir,
      env: { ...env, ...values, FLOE_TEST_MODULE_LOG: log },
    })
    const lines = readFileSync(log, 'utf8').trim().split('\n')
    const commonjs = lines.filter((line) => line.split(' ')[1] === 'commonjs')
    return { result, lines, commonjs, zod: lines.filter((line) => line.startsWith('zod ')) }
  }

  it('validate --offline and exec of env and file secrets load no zod', async () => {
    for (const args of [
      ['secrets', 'validate', '--offline'],
      ['secrets', 'exec', '--', 'true'],
    ]) {
      const { result, lines, zod, commonjs } = await modulesOf(args)
      expect(result.code, result.stderr).toBe(0)
      // the hook saw the start: core and provider-env were loaded through it
      expect(lines.some((l) => l.includes('/core/dist/'))).toBe(true)
      expect(lines.some((l) => l.includes('/provider-env/dist/'))).toBe(true)
      expect(lines.some((l) => l.includes('/provider-file/dist/'))).toBe(true)
      expect(zod, args.join(' ')).toEqual([])
      // ms and dotenv are bundled (scripts/bundle-package.mjs): the ESM loader never starts its
      // CommonJS translator
      expect(commonjs, args.join(' ')).toEqual([])
    }
  })

  it('loads zod when a schema is needed: scopes and access, or fields a provider is unsure of', async () => {
    const scoped = await modulesOf(['secrets', 'validate', '--offline', '-m', 'scoped.yaml'])
    expect(scoped.result.code, scoped.result.stderr).toBe(0)
    expect(scoped.zod).not.toEqual([])

    const unsure = await modulesOf(['secrets', 'validate', '--offline', '-m', 'unsure.yaml'])
    expect(unsure.result.code).toBe(1)
    expect(unsure.result.stdout + unsure.result.stderr).toMatch(/unsure\.yaml:4:\d+/)
    expect(unsure.zod).not.toEqual([])
  })
})
