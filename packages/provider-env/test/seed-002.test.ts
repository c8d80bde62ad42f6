import {
  createResolver,
  loadManifestFromString,
  parseSecretRef,
  type ProviderCatalog,
} from '@floe/core'
import { describe, expect, it } from 'vitest'
import { provider } from '../src/index.js'

const catalog: ProviderCatalog = {
  names: () => ['env'],
  has: (name) => name === 'env',
  load: async (name) => (name === 'env' ? provider : undefined),
  packageFor: () => '@floe/provider-env',
}

// seed 002, "Environment Variables (Development)" and "Development Configuration"
const seedManifest = `
secrets:
  _config:
    default_provider: env

  local_password:
    provider: env
    variable: DATABASE_PASSWORD

    # Default value (for optional secrets)
    default: development_password

  kafka_credentials:
    provider: env
    variables:
      username: KAFKA_USERNAME
      password: KAFKA_PASSWORD

  mongo_connection:
    provider: env
    variable: MONGO_URI
    default: mongodb://localhost:27017/credit_card
`

async function resolveAll(env: NodeJS.ProcessEnv, refs: string[]) {
  const manifest = await loadManifestFromString(seedManifest, { env, catalog })
  const resolver = createResolver({ manifest, catalog, env, cwd: process.cwd() })
  try {
    const report = await resolver.resolve(refs.map((r) => parseSecretRef(r)))
    return refs.map((r) => {
      const value = report.valueOf(parseSecretRef(r))
      return value === undefined ? undefined : value.reveal()
    })
  } finally {
    await resolver.dispose()
  }
}

describe('seed 002 env examples', () => {
  it('validate against the env provider schema and resolve', async () => {
    const values = await resolveAll(
      {
        DATABASE_PASSWORD: 'dev-db-pw',
        KAFKA_USERNAME: 'kafka-user',
        KAFKA_PASSWORD: 'kafka-pw',
        MONGO_URI: 'mongodb://db:27017/x',
      },
      [
        'secret://local_password',
        'secret://kafka_credentials/username',
        'secret://kafka_credentials/password',
        'secret://mongo_connection',
      ],
    )
    expect(values).toEqual(['dev-db-pw', 'kafka-user', 'kafka-pw', 'mongodb://db:27017/x'])
  })

  it('uses `default:` only when the variable is unset — an empty variable is a value', async () => {
    expect(
      await resolveAll({ KAFKA_USERNAME: 'u', KAFKA_PASSWORD: 'p' }, [
        'secret://local_password',
        'secret://mongo_connection',
      ]),
    ).toEqual(['development_password', 'mongodb://localhost:27017/credit_card'])
    expect(await resolveAll({ DATABASE_PASSWORD: '' }, ['secret://local_password'])).toEqual([''])
  })

  it('rejects a definition the env schema does not accept, naming the field', async () => {
    const bad = seedManifest.replace('variable: MONGO_URI', 'variable: MONGO_URI\n    path: /x')
    await expect(loadManifestFromString(bad, { env: {}, catalog })).rejects.toThrow(/path/)
  })
})
