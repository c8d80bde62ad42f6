import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { fetchAll, selectKey } from '@floe/core'
import { errorCodeOf, quietContext, valueOf } from '@floe/testkit/conformance'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEnvProvider, configSchema, provider } from '../src/index.js'

let dir: string
const ctx = (env: NodeJS.ProcessEnv = {}) => quietContext({ env, cwd: dir })

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-env-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const value = valueOf
const code = errorCodeOf

describe('env provider', () => {
  it('reads one variable, and tells empty from unset', async () => {
    const p = provider.create()
    const env = { DATABASE_PASSWORD: 'pw-1', EMPTY: '' }
    const out = await fetchAll(
      p,
      [
        { secret: 'db', config: { variable: 'DATABASE_PASSWORD' } },
        { secret: 'empty', config: { variable: 'EMPTY' } },
        { secret: 'unset', config: { variable: 'NOPE' } },
      ],
      ctx(env),
    )
    expect(value(out[0])).toBe('pw-1')
    expect(value(out[1])).toBe('')
    expect(code(out[2])).toBe('NOT_FOUND')
    expect(!out[2]!.ok && out[2]!.error.message).toBe('[env] environment variable NOPE is not set')
  })

  it('builds a key/value secret from a `variables` map (seed 002 kafka_credentials)', async () => {
    const p = provider.create()
    const config = { variables: { username: 'KAFKA_USERNAME', password: 'KAFKA_PASSWORD' } }
    const [outcome] = await fetchAll(
      p,
      [{ secret: 'kafka_credentials', config }],
      ctx({ KAFKA_USERNAME: 'svc-kafka', KAFKA_PASSWORD: 'kafka-pw' }),
    )
    if (!outcome?.ok) throw new Error('expected ok')
    expect(selectKey(outcome.secret, 'kafka_credentials', 'username').reveal()).toBe('svc-kafka')
    expect(selectKey(outcome.secret, 'kafka_credentials', 'password').reveal()).toBe('kafka-pw')
    expect(inspect(outcome)).not.toContain('kafka-pw')
    expect(JSON.stringify(outcome)).not.toContain('kafka-pw')
  })

  it('returns the keys that are set; a missing key fails at key selection, naming the keys', async () => {
    const p = provider.create()
    const config = { variables: { username: 'KAFKA_USERNAME', password: 'KAFKA_PASSWORD' } }
    const [outcome] = await fetchAll(
      p,
      [{ secret: 'kafka', config }],
      ctx({ KAFKA_USERNAME: 'svc' }),
    )
    if (!outcome?.ok) throw new Error('expected ok')
    expect(() => selectKey(outcome.secret, 'kafka', 'password')).toThrow(
      'secret "kafka" has no key "password" (keys: username)',
    )
    await expect(
      p.describe!({ secret: 'kafka', config }, ctx({ KAFKA_USERNAME: 'svc' })),
    ).resolves.toEqual({
      exists: true,
      keys: ['username'],
      type: 'env',
    })
    const [none] = await fetchAll(p, [{ secret: 'kafka', config }], ctx({}))
    expect(code(none)).toBe('NOT_FOUND')
    expect(!none!.ok && none!.error.message).toContain('KAFKA_USERNAME, KAFKA_PASSWORD are not set')
  })

  it('reads .env files relative to the manifest directory; the environment wins unless override', async () => {
    await writeFile(
      join(dir, '.env'),
      'MONGO_URI="mongodb://file-host:27017/db"\nONLY_IN_FILE=from-file\n# comment\n',
    )
    const p = provider.create()
    const env = { MONGO_URI: 'mongodb://env-host:27017/db' }
    const out = await fetchAll(
      p,
      [
        { secret: 'mongo', config: { variable: 'MONGO_URI', env_file: '.env' } },
        { secret: 'mongo', config: { variable: 'MONGO_URI', env_file: '.env', override: true } },
        { secret: 'only', config: { variable: 'ONLY_IN_FILE', env_file: join(dir, '.env') } },
      ],
      ctx(env),
    )
    expect(value(out[0])).toBe('mongodb://env-host:27017/db')
    expect(value(out[1])).toBe('mongodb://file-host:27017/db')
    expect(value(out[2])).toBe('from-file')
  })

  it('lets later env_files override earlier ones and re-reads a changed file', async () => {
    await writeFile(join(dir, 'base.env'), 'TOKEN=base\nOTHER=o\n')
    await writeFile(join(dir, 'local.env'), 'TOKEN=local\n')
    const p = provider.create()
    const config = { variable: 'TOKEN', env_files: ['base.env', 'local.env'] }
    expect(value((await fetchAll(p, [{ secret: 't', config }], ctx()))[0])).toBe('local')
    await writeFile(join(dir, 'local.env'), 'TOKEN=changed-value\n')
    expect(value((await fetchAll(p, [{ secret: 't', config }], ctx()))[0])).toBe('changed-value')
  })

  it('shares one look at an env file among secrets read together; each error names its secret', async () => {
    await writeFile(join(dir, 'shared.env'), 'A=1\nB=2\n')
    const p = provider.create()
    const requests = ['a', 'b'].map((secret) => ({
      secret,
      config: { variable: secret.toUpperCase(), env_file: 'shared.env' },
    }))
    expect((await fetchAll(p, requests, ctx())).map(value)).toEqual(['1', '2'])
    // a directory where the file was: both secrets fail, each under its own name
    await rm(join(dir, 'shared.env'))
    await mkdir(join(dir, 'shared.env'))
    const failed = await fetchAll(p, requests, ctx())
    expect(failed.map(code)).toEqual(['INVALID', 'INVALID'])
    expect(failed.map((o) => !o.ok && o.error.secret)).toEqual(['a', 'b'])
  })

  it('names a missing env file in the NOT_FOUND hint', async () => {
    const p = provider.create()
    const [outcome] = await fetchAll(
      p,
      [{ secret: 'x', config: { variable: 'X', env_file: '.env.local' } }],
      ctx(),
    )
    expect(code(outcome)).toBe('NOT_FOUND')
    expect(!outcome!.ok && outcome!.error.hint).toBe(
      `env file ${join(dir, '.env.local')} does not exist; create it or export X`,
    )
  })

  it('rejects a version request: environment variables have no versions', async () => {
    const [outcome] = await fetchAll(
      provider.create(),
      [{ secret: 'x', config: { variable: 'X' }, version: '2' }],
      ctx({ X: 'v' }),
    )
    expect(code(outcome)).toBe('INVALID')
  })

  it('prefers create({ env }) over the context environment', async () => {
    const p = createEnvProvider({ env: { X: 'from-option' } })
    expect(
      value(
        (
          await fetchAll(p, [{ secret: 'x', config: { variable: 'X' } }], ctx({ X: 'from-ctx' }))
        )[0],
      ),
    ).toBe('from-option')
  })

  it('lists variable names by prefix, never values', async () => {
    await writeFile(join(dir, '.env'), 'APP_FROM_FILE=file-value\n')
    const names: unknown[] = []
    for await (const l of provider.create().list!(
      { prefix: 'APP_', config: { env_file: '.env' } },
      ctx({ APP_A: 'a', OTHER: 'o' }),
    )) {
      names.push(l)
    }
    expect(names).toEqual([
      { name: 'APP_A', type: 'env' },
      { name: 'APP_FROM_FILE', type: 'env' },
    ])
  })

  it('validates definitions with its own schema', async () => {
    const schema = await configSchema()
    expect(schema.safeParse({ variable: 'A', default: 'dev' }).success).toBe(true)
    expect(schema.safeParse({ variables: { u: 'U' }, env_files: ['.env'] }).success).toBe(true)
    const both = schema.safeParse({ variable: 'A', variables: { a: 'A' } })
    expect(both.success).toBe(false)
    expect(both.error?.issues[0]?.message).toContain('exactly one of `variable`')
    expect(schema.safeParse({}).success).toBe(false)
    expect(schema.safeParse({ variable: 'A', path: 'x' }).success).toBe(false)
    expect(schema.safeParse({ variable: 'A=B' }).success).toBe(false)
  })

  it('reports an invalid definition as INVALID without throwing the batch', async () => {
    const out = await fetchAll(
      provider.create(),
      [
        { secret: 'bad', config: { variable: 'A', variables: { a: 'A' } } },
        { secret: 'good', config: { variable: 'A' } },
      ],
      ctx({ A: 'a' }),
    )
    expect(code(out[0])).toBe('INVALID')
    expect(value(out[1])).toBe('a')
  })

  it('check() reports missing env files', async () => {
    const p = provider.create()
    await expect(p.check!(ctx(), { variable: 'A', env_file: 'nope.env' })).resolves.toEqual({
      status: 'unknown',
      detail: `env file not found: ${join(dir, 'nope.env')}`,
    })
    await expect(p.check!(ctx())).resolves.toEqual({
      status: 'ready',
      detail: 'process environment',
    })
  })
})
