import { preferNodeBuildsOfAwsSdk, runProviderConformance, startMotoServer } from '@floe/testkit'
import { createRequire } from 'node:module'
import { MAX_BATCH_SIZE, provider } from '../src/index.js'

// The same conformance suite as conformance.test.ts, against moto_server: a Parameter Store
// floe did not write. Seeding goes through the SDK directly (not through the provider).
preferNodeBuildsOfAwsSdk()
const { SSMClient, PutParameterCommand } = createRequire(import.meta.url)(
  '@aws-sdk/client-ssm',
) as typeof import('@aws-sdk/client-ssm')

runProviderConformance({
  name: 'aws_parameter_store (moto)',
  batchSize: MAX_BATCH_SIZE,
  async setup() {
    const moto = await startMotoServer()
    const client = new SSMClient(moto.clientConfig())
    const seeder = new SSMClient(moto.clientConfig())
    const config = (name: string) => ({ name: `/conformance/${name}` })
    return {
      provider: provider.create({ client }),
      async seed(name, data) {
        await seeder.send(
          new PutParameterCommand({
            Name: `/conformance/${name}`,
            Value: typeof data === 'string' ? data : JSON.stringify(data),
            Type: 'SecureString',
            Overwrite: true,
          }),
        )
        return config(name)
      },
      missing: config,
      // Parameter values have a minimum length of 1: SSM cannot store an empty value.
      emptyValues: false,
      failNext(times) {
        moto.faults.add({ operation: '*', kind: 'error', status: 500, times })
      },
      callCount: () => moto.calls.count(),
      valueReads: () =>
        moto.calls.count('GetParameter') +
        moto.calls.count('GetParameters') +
        moto.calls.count('GetParametersByPath'),
      listOptions: { prefix: '/conformance/*' },
      async close() {
        client.destroy()
        seeder.destroy()
        await moto.close()
      },
    }
  },
})
