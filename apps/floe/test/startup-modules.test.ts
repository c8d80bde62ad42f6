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
 *
 * Node's builtins are listed by process.moduleLoadList, written on exit by a --require'd file:
 * builtins a start does not use are required lazily (scripts/commonjs-bundle.mjs), and reads a
 * start needs are synchronous, so node:fs/promises (with fs watchers and readline) is not loaded.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
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
  project.write('env.yaml', `secrets:\n${envSecrets}`)
  const builtinsRecorder = project.write(
    'record-builtins.cjs',
    "process.on('exit', () => require('node:fs').writeFileSync(process.env.FLOE_TEST_LIST, process.moduleLoadList.join('\\n')))\n",
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

  async function builtinsOf(args: string[], manifest = 'floe.yaml') {
    const listFile = join(project.dir, 'builtins.txt')
    const result = await runFloe([...args.slice(0, 2), '-m', manifest, ...args.slice(2)], {
      cwd: project.dir,
      env: { ...values, NODE_OPTIONS: `--require=${builtinsRecorder}`, FLOE_TEST_LIST: listFile },
    })
    expect(result.code, result.stderr).toBe(0)
    return readFileSync(listFile, 'utf8').split('\n')
  }

  it('does not load node:fs/promises for validate --offline or exec of env secrets', async () => {
    const validate = await builtinsOf(['secrets', 'validate', '--offline'])
    const exec = await builtinsOf(['secrets', 'exec', '--', 'true'], 'env.yaml')
    // the recorder itself sees the list: a builtin every start loads is in it
    for (const list of [validate, exec]) expect(list).toContain('NativeModule fs')
    expect(validate).not.toContain('NativeModule fs/promises')
    expect(exec).not.toContain('NativeModule fs/promises')
    expect(exec).toContain('NativeModule child_process')
    // exec of a file secret reads it with fs/promises: the check above can fail
    const file = await builtinsOf(['secrets', 'exec', '--', 'true'])
    expect(file).toContain('NativeModule fs/promises')
  })

  it('loads dist/version.cjs only when the first argument is a flag', async () => {
    const command = await modulesOf(['secrets', 'validate', '--offline'])
    expect(command.commonjs.some((path) => path.endsWith('/dist/version.cjs'))).toBe(false)
    const version = await modulesOf(['--version'])
    expect(version.result.stdout).toMatch(/^@floe\/cli\/\S+ /)
    expect(version.commonjs.some((path) => path.endsWith('/dist/version.cjs'))).toBe(true)
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
