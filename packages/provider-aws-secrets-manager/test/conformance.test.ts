import { preferNodeBuildsOfAwsSdk, runProviderConformance, startAwsEmulator } from '@floe/testkit'
import { createRequire } from 'node:module'
import { MAX_BATCH_SIZE, provider } from '../src/index.js'

preferNodeBuildsOfAwsSdk()
const { SecretsManagerClient } = createRequire(import.meta.url)(
  '@aws-sdk/client-secrets-manager',
) as typeof import('@aws-sdk/client-secrets-manager')

const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:floe-rotate'

runProviderConformance({
  name: 'aws_secrets_manager',
  batchSize: MAX_BATCH_SIZE,
  async setup() {
    const emu = await startAwsEmulator({ rotationLambda: ({ token }) => `rotated-${token}` })
    const client = new SecretsManagerClient(emu.clientConfig())
    const config = (name: string) => ({
      secret_id: `conformance/${name}`,
      rotation_lambda_arn: LAMBDA,
    })
    return {
      provider: provider.create({ client }),
      async seed(name, data) {
        emu.putSecret(`conformance/${name}`, data)
        return config(name)
      },
      missing: config,
      async forbidden(name) {
        emu.putSecret(`conformance/${name}`, 'hidden')
        emu.deny({ resource: `conformance/${name}` })
        return config(name)
      },
      failNext(times) {
        emu.faults.add({ operation: '*', kind: 'error', status: 500, times })
      },
      callCount: () => emu.calls.count(),
      valueReads: () => emu.calls.count('GetSecretValue') + emu.calls.count('BatchGetSecretValue'),
      async close() {
        client.destroy()
        await emu.close()
      },
    }
  },
})
