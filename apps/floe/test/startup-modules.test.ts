/**
 * What a start loads (issue 17): zod (≈ 400 KB, a tenth of `validate --offline`'s start) is
 * imported only when something needs a schema, and a start that runs without oclif is CommonJS
 * from end to end: bin/run.cjs, dist/fast.cjs, @floe/core's and the providers' dist/index.cjs
 * (scripts/bundle-package.mjs), so it never starts Node's ES module loader. Node reports both of
 * its loaders (NODE_DEBUG=module,esm; the same lines on Node 20 and 24): `load "<file>"` for each
 * CommonJS file, `Translating <format> <url>` for each module the ES module loader translates,
 * `importSyncForRequire` for each ES module require()d. zod is recognised by its source (bundled
 * into @floe/core's dist/zod.js, it keeps esbuild's `node_modules/zod/` path comments) or by its
 * own path. The env and file providers vouch for their fields by hand
 * (ProviderModule.vouchesForConfig).
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
    const result = await runFloe(args, {
      cwd: project.dir,
      env: { ...values, NODE_DEBUG: 'module,esm' },
    })
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
    const commonjs = [...result.stderr.matchAll(/MODULE \d+: load "([^"]+)"/g)].map(
      ([, path]) => path as string,
    )
    return { result, esm: [...lines.map(({ url }) => url), ...required], commonjs, zod }
  }

  it('validate --offline and exec of env and file secrets load no zod', async () => {
    for (const args of [
      ['secrets', 'validate', '--offline'],
      ['secrets', 'exec', '--', 'true'],
    ]) {
      const { result, esm, zod, commonjs } = await modulesOf(args)
      expect(result.code, result.stderr).toBe(0)
      // the CommonJS loader's report covers the start: the fast path, core and the providers
      for (const part of [
        '/apps/floe/dist/fast.cjs',
        '/core/dist/index.cjs',
        '/provider-env/dist/index.cjs',
        '/provider-file/dist/index.cjs',
      ])
        expect(
          commonjs.some((path) => path.endsWith(part)),
          `${args.join(' ')}: ${part}`,
        ).toBe(true)
      expect(zod, args.join(' ')).toEqual([])
      // nothing went through the ES module loader (which reports every module it touches)
      expect(esm, args.join(' ')).toEqual([])
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
