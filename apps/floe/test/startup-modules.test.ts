/**
 * What a start loads (issue 17): zod (≈ 400 KB, a tenth of `validate --offline`'s start) is
 * imported only when something needs a schema. Node's own ES module loader reports every module
 * it translates (NODE_DEBUG=esm, on Node 20 and 24 alike; a `module.register` hook would not see
 * the modules bin/run.cjs require()s); zod is recognised by its source (bundled into
 * @floe/core's chunks, it keeps esbuild's `node_modules/zod/` path comments) or by its own path.
 * The env and file providers vouch for their fields by hand (ProviderModule.vouchesForConfig).
 * Nor does it load a CommonJS module (each costs the ESM loader's CommonJS translator and export
 * lexer), and floe's fast path and its providers are require()d (require(esm)), so the start never
 * waits on the asynchronous loader.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, makeProject, runFloe } from './helpers.js'

beforeAll(() => assertBuilt())

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

  async function modulesOf(args: string[]) {
    const result = await runFloe(args, { cwd: project.dir, env: { ...values, NODE_DEBUG: 'esm' } })
    const lines = [...result.stderr.matchAll(/Translating (\w+) (file:\S+)/g)].map(
      ([, format, url]) => ({ format: format as string, url: url as string }),
    )
    const sourceOf = (url: string) => readFileSync(fileURLToPath(url), 'utf8')
    const zod = lines.filter(
      ({ url }) => /[/]zod[/]/.test(url) || sourceOf(url).includes('/node_modules/zod/'),
    )
    const required = [...result.stderr.matchAll(/importSyncForRequire \S+ -> (\S+)/g)].map(
      ([, path]) => path as string,
    )
    return {
      result,
      // a require()d module's own line is the importSyncForRequire one
      lines: [...lines.map(({ url }) => url), ...required],
      commonjs: lines.filter(({ format }) => format === 'CommonJS').map(({ url }) => url),
      zod,
      required,
    }
  }

  it('validate --offline and exec of env and file secrets load no zod', async () => {
    for (const args of [
      ['secrets', 'validate', '--offline'],
      ['secrets', 'exec', '--', 'true'],
    ]) {
      const { result, lines, zod, commonjs, required } = await modulesOf(args)
      expect(result.code, result.stderr).toBe(0)
      // the loader's report covers the start: core and the providers are in it
      expect(lines.some((l) => l.includes('/core/dist/'))).toBe(true)
      expect(lines.some((l) => l.includes('/provider-env/dist/'))).toBe(true)
      expect(lines.some((l) => l.includes('/provider-file/dist/'))).toBe(true)
      expect(zod, args.join(' ')).toEqual([])
      // ms and dotenv are bundled (scripts/bundle-package.mjs): the ESM loader never starts its
      // CommonJS translator
      expect(commonjs, args.join(' ')).toEqual([])
      // bin/run.cjs and core's registry require() them: no asynchronous ES module loading
      for (const part of ['/apps/floe/dist/fast.js', '/provider-env/dist/', '/provider-file/dist/'])
        expect(
          required.some((path) => path.includes(part)),
          `${args.join(' ')}: ${part}`,
        ).toBe(true)
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
