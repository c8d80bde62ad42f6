import { preferNodeBuildsOfAwsSdk, runProviderConformance, startAwsEmulator } from '@floe/testkit'
import { createRequire } from 'node:module'
import { MAX_BATCH_SIZE, provider } from '../src/index.js'

preferNodeBuildsOfAwsSdk()
const { SSMClient } = createRequire(import.meta.url)(
  '@aws-sdk/client-ssm',
) as typeof import('@aws-sdk/client-ssm')

runProviderConformance({
  name: 'aws_parameter_store',
  batchSize: MAX_BATCH_SIZE,
  async setup() {
    const emu = await startAwsEmulator()
    const client = new SSMClient(emu.clientConfig())
    const config = (name: string) => ({ name: `/conformance/${name}` })
    return {
      provider: provider.create({ client }),
      async seed(name, data) {
        emu.putParameter(
          `/conformance/${name}`,
          typeof data === 'string' ? data : JSON.stringify(data),
        )
        return config(name)
      },
      missing: config,
      // Parameter values have a minimum length of 1: SSM cannot store an empty value.
      emptyValues: false,
      // ssm:DescribeParameters has no resource-level permission, so describe() cannot see a
      // read denial; fetch-side FORBIDDEN is covered in provider.test.ts.
      failNext(times) {
        emu.faults.add({ operation: '*', kind: 'error', status: 500, times })
      },
      callCount: () => emu.calls.count(),
      valueReads: () =>
        emu.calls.count('GetParameter') +
        emu.calls.count('GetParameters') +
        emu.calls.count('GetParametersByPath'),
      listOptions: { prefix: '/conformance/*' },
      async close() {
        client.destroy()
        await emu.close()
      },
    }
  },
})
