import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { fetchAll, SecretValue, type FetchOutcome } from '@floe/core'
import { quietContext } from '@floe/testkit/conformance'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { inferFormat } from '../src/formats.js'
import { configSchema, provider } from '../src/index.js'

let dir: string
const ctx = (env: NodeJS.ProcessEnv = {}) => quietContext({ env, cwd: dir })
const p = provider.create()

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-file-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function fetch1(
  config: Record<string, unknown>,
  env?: NodeJS.ProcessEnv,
  version?: string,
): Promise<FetchOutcome> {
  const [outcome] = await fetchAll(
    p,
    [{ secret: 's', config, ...(version ? { version } : {}) }],
    ctx(env),
  )
  return outcome!
}
function ok(outcome: FetchOutcome) {
  if (!outcome.ok)
    throw new Error(`expected a value, got ${outcome.error.code}: ${outcome.error.message}`)
  return outcome.secret
}
function failed(outcome: FetchOutcome) {
  if (outcome.ok) throw new Error('expected an error')
  return outcome.error
}
const keysOf = (outcome: FetchOutcome) =>
  Object.fromEntries(Object.entries(ok(outcome).keys ?? {}).map(([k, v]) => [k, v.reveal()]))

/** The layout kubelet writes for a Secret volume: timestamped dir, ..data, key symlinks. */
async function kubeletSecretDir(
  root: string,
  data: Record<string, string>,
  mode = 0o600,
): Promise<void> {
  const stamp = join(root, '..2026_11_22_10_00_00.123456789')
  await mkdir(stamp, { recursive: true })
  for (const [key, value] of Object.entries(data))
    await writeFile(join(stamp, key), value, { mode })
  await symlink('..2026_11_22_10_00_00.123456789', join(root, '..data'))
  for (const key of Object.keys(data)) await symlink(join('..data', key), join(root, key))
}

describe('file provider: reading', () => {
  it('reads a Kubernetes-mounted secret directory: keys only, no ..data or dotfiles', async () => {
    const mount = join(dir, 'db')
    await kubeletSecretDir(mount, { username: 'svc-db\n', password: 'pw\n' })
    await writeFile(join(mount, '.hidden'), 'x', { mode: 0o600 })
    expect(keysOf(await fetch1({ path: 'db' }))).toEqual({ password: 'pw', username: 'svc-db' })
    expect(keysOf(await fetch1({ path: 'db', trim_newline: false }))).toEqual({
      password: 'pw\n',
      username: 'svc-db\n',
    })
    expect(ok(await fetch1({ path: 'db', key: 'password' })).value.reveal()).toBe('pw')
    // core derives secret://name/password for a `key:` definition: the key stays selectable
    expect(keysOf(await fetch1({ path: 'db', key: 'password' }))).toEqual({ password: 'pw' })
    const missing = failed(await fetch1({ path: 'db', keys: ['username', 'token'] }))
    expect(missing.code).toBe('NOT_FOUND')
    expect(missing.message).toBe(`[file] ${mount} has no key "token"`)
  })

  it('reads a dot-named key when asked for it explicitly (kubernetes.io/dockerconfigjson)', async () => {
    const mount = join(dir, 'regcred')
    await kubeletSecretDir(mount, { '.dockerconfigjson': '{"auths":{}}' })
    expect(keysOf(await fetch1({ path: 'regcred' }))).toEqual({})
    expect(ok(await fetch1({ path: 'regcred', key: '.dockerconfigjson' })).value.reveal()).toBe(
      '{"auths":{}}',
    )
    expect(failed(await fetch1({ path: 'regcred', key: '..data' })).code).toBe('INVALID')
  })

  it('strips exactly one trailing newline from raw files by default', async () => {
    await writeFile(join(dir, 'token'), 'abc\n\n', { mode: 0o600 })
    await writeFile(join(dir, 'crlf'), 'abc\r\n', { mode: 0o600 })
    expect(ok(await fetch1({ path: 'token' })).value.reveal()).toBe('abc\n')
    expect(ok(await fetch1({ path: 'crlf' })).value.reveal()).toBe('abc')
    expect(ok(await fetch1({ path: 'token', trim_newline: false })).value.reveal()).toBe('abc\n\n')
  })

  it('reads JSON, YAML and dotenv files with keys', async () => {
    await writeFile(join(dir, 'a.json'), '{"user":"u","port":5432,"nested":{"x":1}}', {
      mode: 0o600,
    })
    await writeFile(join(dir, 'b.yaml'), 'user: u\nport: 5432\nnested:\n  x: 1\nempty: ""\n', {
      mode: 0o600,
    })
    await writeFile(join(dir, 'prod.env'), 'USER=u\nPASS="p w"\n', { mode: 0o600 })
    const expected = { user: 'u', port: '5432', nested: '{"x":1}' }
    expect(keysOf(await fetch1({ path: 'a.json' }))).toEqual(expected)
    expect(keysOf(await fetch1({ path: 'b.yaml' }))).toEqual({ ...expected, empty: '' })
    expect(keysOf(await fetch1({ path: 'prod.env' }))).toEqual({ USER: 'u', PASS: 'p w' })
    expect(ok(await fetch1({ path: 'a.json', key: 'port' })).value.reveal()).toBe('5432')
  })

  it('reports malformed files as INVALID without quoting their content', async () => {
    await writeFile(join(dir, 'bad.json'), '{"password": hunter2-secret}', { mode: 0o600 })
    await writeFile(join(dir, 'bad.yaml'), 'a: [hunter2-secret\n', { mode: 0o600 })
    for (const path of ['bad.json', 'bad.yaml']) {
      const error = failed(await fetch1({ path }))
      expect(error.code).toBe('INVALID')
      expect(inspect(error) + JSON.stringify(error)).not.toContain('hunter2')
    }
    expect(failed(await fetch1({ path: 'bad.json' })).message).toBe(
      `[file] ${join(dir, 'bad.json')} is not valid JSON`,
    )
  })

  it('refuses group/world-readable files with a chmod 600 fix, unless allowed', async () => {
    const file = join(dir, 'loose')
    await writeFile(file, 'v', { mode: 0o600 })
    await chmod(file, 0o644)
    const error = failed(await fetch1({ path: 'loose' }))
    expect(error.code).toBe('FORBIDDEN')
    expect(error.message).toBe(
      `[file] refusing to read ${file}: mode 0644 lets group/others access it; run \`chmod 600 ${file}\``,
    )
    expect(error.hint).toContain('allow_insecure_permissions: true')
    expect(
      ok(await fetch1({ path: 'loose', allow_insecure_permissions: true })).value.reveal(),
    ).toBe('v')
    expect(
      ok(await fetch1({ path: 'loose' }, { FLOE_ALLOW_INSECURE_FILES: '1' })).value.reveal(),
    ).toBe('v')
    // kubelet's default secret volume mode (0644) is refused too: the README says to use defaultMode 0400
    await kubeletSecretDir(join(dir, 'mounted'), { password: 'pw' }, 0o644)
    expect(failed(await fetch1({ path: 'mounted' })).code).toBe('FORBIDDEN')
  })

  it('a missing path is NOT_FOUND; a directory read as json is INVALID', async () => {
    await mkdir(join(dir, 'd'))
    expect(failed(await fetch1({ path: 'nope.json' })).code).toBe('NOT_FOUND')
    expect(failed(await fetch1({ path: 'd', format: 'json' })).code).toBe('INVALID')
  })

  it('serves the current content version only', async () => {
    await writeFile(join(dir, 't'), 'v1', { mode: 0o600 })
    const version = ok(await fetch1({ path: 't' })).version!
    expect(version).toMatch(/^[0-9a-f]{16}$/)
    expect(ok(await fetch1({ path: 't' }, {}, version)).value.reveal()).toBe('v1')
    const stale = failed(await fetch1({ path: 't' }, {}, '0123456789abcdef'))
    expect(stale.code).toBe('NOT_FOUND')
    expect(stale.message).toContain('files keep no history')
  })

  it('reads base64 of binary files', async () => {
    await writeFile(join(dir, 'keystore.p12'), Buffer.from([0, 1, 2, 255]), { mode: 0o600 })
    expect(ok(await fetch1({ path: 'keystore.p12', encoding: 'base64' })).value.reveal()).toBe(
      'AAEC/w==',
    )
  })

  it('describes keys, version and mtime', async () => {
    await writeFile(join(dir, 'a.json'), '{"user":"u","pass":"p"}', { mode: 0o600 })
    const meta = await p.describe!({ secret: 'a', config: { path: 'a.json' } }, ctx())
    expect(meta).toMatchObject({ exists: true, keys: ['user', 'pass'], type: 'json' })
    expect(meta.updatedAt).toEqual((await stat(join(dir, 'a.json'))).mtime)
    expect(meta.version).toBe(ok(await fetch1({ path: 'a.json' })).version)
  })

  it('lists files and directories by prefix, skipping dotfiles', async () => {
    await writeFile(join(dir, 'app-db.json'), '{}', { mode: 0o600 })
    await mkdir(join(dir, 'app-certs'))
    await writeFile(join(dir, '.app-hidden'), '', { mode: 0o600 })
    await writeFile(join(dir, 'other'), '', { mode: 0o600 })
    const listed = []
    for await (const l of p.list!({ prefix: 'app-', config: { path: '.' } }, ctx()))
      listed.push([l.name, l.type])
    expect(listed).toEqual([
      ['app-certs', 'dir'],
      ['app-db.json', 'json'],
    ])
  })
})

describe('file provider: writing', () => {
  const put = (
    config: Record<string, unknown>,
    data: string | Record<string, string>,
    extra = {},
  ) =>
    p.put!(
      {
        secret: 's',
        config,
        data:
          typeof data === 'string'
            ? new SecretValue(data)
            : Object.fromEntries(Object.entries(data).map(([k, v]) => [k, new SecretValue(v)])),
        ...extra,
      },
      ctx(),
    )

  it('writes atomically with mode 0600 and leaves no temp files', async () => {
    const result = await put({ path: 'sub/token' }, 'tok', { createOnly: true })
    expect(result.created).toBe(true)
    expect(await readFile(join(dir, 'sub/token'), 'utf8')).toBe('tok')
    expect((await stat(join(dir, 'sub/token'))).mode & 0o777).toBe(0o600)
    expect((await stat(join(dir, 'sub'))).mode & 0o777).toBe(0o700)
    expect(await readdir(join(dir, 'sub'))).toEqual(['token'])
    expect(result.version).toBe(ok(await fetch1({ path: 'sub/token' })).version)
  })

  it('compare-and-set on the content version', async () => {
    const v1 = (await put({ path: 't.json' }, { a: '1' })).version
    const v2 = await put({ path: 't.json' }, { a: '2' }, { expectedVersion: v1 })
    expect(v2).toMatchObject({ created: false, previousVersion: v1 })
    await expect(
      put({ path: 't.json' }, { a: '3' }, { expectedVersion: v1 }),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    await expect(put({ path: 'absent' }, 'x', { expectedVersion: v1 })).rejects.toMatchObject({
      code: 'CONFLICT',
    })
    expect(keysOf(await fetch1({ path: 't.json' }))).toEqual({ a: '2' })
  })

  it('round-trips key/value data through json, yaml, dotenv and directories', async () => {
    const data = { user: 'u', pass: 'it\'s "quoted"', multi: 'line1\nline2' }
    for (const path of ['kv.json', 'kv.yaml', 'kv-dir']) {
      await put({ path }, data)
      expect(keysOf(await fetch1({ path }))).toEqual(data)
    }
    await put({ path: 'kv.env' }, { user: 'u', pass: "it's", multi: 'line1\nline2' })
    expect(keysOf(await fetch1({ path: 'kv.env' }))).toEqual({
      user: 'u',
      pass: "it's",
      multi: 'line1\nline2',
    })
    expect((await stat(join(dir, 'kv-dir'))).isDirectory()).toBe(true)
    expect((await stat(join(dir, 'kv-dir/pass'))).mode & 0o777).toBe(0o600)
  })

  it('replaces a directory secret, removing keys no longer present; key: writes one entry', async () => {
    await put({ path: 'd' }, { a: '1', b: '2' })
    await put({ path: 'd' }, { a: '9' })
    expect(keysOf(await fetch1({ path: 'd' }))).toEqual({ a: '9' })
    await put({ path: 'd', key: 'c' }, 'new')
    expect(keysOf(await fetch1({ path: 'd' }))).toEqual({ a: '9', c: 'new' })
  })

  it('keeps a value that ends with a newline intact under trim_newline', async () => {
    await put({ path: 'nl' }, 'value\n')
    expect(ok(await fetch1({ path: 'nl' })).value.reveal()).toBe('value\n')
  })

  it('rejects data the target cannot hold', async () => {
    await writeFile(join(dir, 'raw'), 'x', { mode: 0o600 })
    await expect(put({ path: 'raw' }, { a: '1' })).rejects.toMatchObject({ code: 'INVALID' })
    await expect(put({ path: 'x.json' }, 'not json')).rejects.toMatchObject({ code: 'INVALID' })
    await expect(put({ path: 'dd' }, { '../escape': '1' })).rejects.toMatchObject({
      code: 'INVALID',
    })
  })

  it('fixes loose permissions when it rewrites a file', async () => {
    await writeFile(join(dir, 'loose'), 'old', { mode: 0o600 })
    await chmod(join(dir, 'loose'), 0o644)
    await put({ path: 'loose' }, 'new')
    expect((await stat(join(dir, 'loose'))).mode & 0o777).toBe(0o600)
    expect(ok(await fetch1({ path: 'loose' })).value.reveal()).toBe('new')
  })
})

describe('file provider: configuration', () => {
  it('infers formats from names', () => {
    expect(
      ['a.json', 'b.YAML', 'c.yml', '.env', '.env.local', 'prod.env', 'password', 'tls.crt'].map(
        inferFormat,
      ),
    ).toEqual(['json', 'yaml', 'yaml', 'dotenv', 'dotenv', 'dotenv', 'raw', 'raw'])
  })

  it('validates its fields strictly', async () => {
    const schema = await configSchema()
    expect(schema.safeParse({ path: '/run/secrets/db', key: 'password' }).success).toBe(true)
    expect(schema.safeParse({ path: 'x', format: 'toml' }).success).toBe(false)
    expect(schema.safeParse({ path: 'x', key: 'a', keys: ['b'] }).success).toBe(false)
    expect(schema.safeParse({ path: 'x', variable: 'A' }).success).toBe(false)
    expect(schema.safeParse({}).success).toBe(false)
  })
})
