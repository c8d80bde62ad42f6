import { preferNodeBuildsOfAwsSdk, runProviderConformance, startMotoServer } from '@floe/testkit'
import { createRequire } from 'node:module'
import { MAX_BATCH_SIZE, provider } from '../src/index.js'

// The same conformance suite as conformance.test.ts, against moto_server: a Secrets Manager
// floe did not write. Seeding goes through the SDK directly (not through the provider).
preferNodeBuildsOfAwsSdk()
const { SecretsManagerClient, CreateSecretCommand, PutSecretValueCommand } = createRequire(
  import.meta.url,
)('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager')

const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:floe-rotate'

runProviderConformance({
  name: 'aws_secrets_manager (moto)',
  batchSize: MAX_BATCH_SIZE,
  // Each entry is a moto bug, written up in packages/testkit/src/aws/README.md ("moto").
  knownBackendBugs: {
    versions:
      'moto keeps serving the old AWSCURRENT after UpdateSecretVersionStage moves the label',
    putCompareAndSet:
      'moto keeps serving the old AWSCURRENT after UpdateSecretVersionStage moves the label',
    rotation: 'moto runs rotation Lambdas only in Docker: RotateSecret → ResourceNotFoundException',
  },
  async setup() {
    const moto = await startMotoServer()
    const client = new SecretsManagerClient(moto.clientConfig())
    const seeder = new SecretsManagerClient(moto.clientConfig())
    const config = (name: string) => ({
      secret_id: `conformance/${name}`,
      rotation_lambda_arn: LAMBDA,
    })
    return {
      provider: provider.create({ client }),
      async seed(name, data) {
        const SecretString = typeof data === 'string' ? data : JSON.stringify(data)
        const SecretId = `conformance/${name}`
        try {
          await seeder.send(new CreateSecretCommand({ Name: SecretId, SecretString }))
        } catch (error) {
          if ((error as Error).name !== 'ResourceExistsException') throw error
          await seeder.send(new PutSecretValueCommand({ SecretId, SecretString }))
        }
        return config(name)
      },
      missing: config,
      // An empty SecretString creates a secret without a value in moto (GetSecretValue →
      // ResourceNotFoundException); AWS refuses to store one. Only "missing" is checked.
      emptyValues: false,
      failNext(times) {
        moto.faults.add({ operation: '*', kind: 'error', status: 500, times })
      },
      callCount: () => moto.calls.count(),
      valueReads: () =>
        moto.calls.count('GetSecretValue') + moto.calls.count('BatchGetSecretValue'),
      async close() {
        client.destroy()
        seeder.destroy()
        await moto.close()
      },
    }
  },
})
