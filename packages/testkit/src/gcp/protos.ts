import { createRequire } from 'node:module'
import { dirname, join, sep } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'

/**
 * Loads the Secret Manager service definition from the .proto files that
 * @google-cloud/secret-manager itself ships, with the google/api, google/iam… imports taken
 * from the google-gax that package depends on. The emulator therefore speaks exactly the
 * wire format of the installed SDK and cannot drift from it.
 */
export function loadSecretManagerService(): grpc.ServiceDefinition {
  const require = createRequire(import.meta.url)
  const sdkDir = dirname(require.resolve('@google-cloud/secret-manager/package.json'))
  // google-gax hides package.json behind `exports`: resolve its main (build/src/index.js)
  const gaxMain = createRequire(join(sdkDir, 'package.json')).resolve('google-gax')
  const gaxDir = gaxMain.slice(0, gaxMain.lastIndexOf(`${sep}build${sep}`))
  const sdkProtos = join(sdkDir, 'build', 'protos')
  const definition = protoLoader.loadSync(
    join(sdkProtos, 'google/cloud/secretmanager/v1/service.proto'),
    {
      includeDirs: [sdkProtos, join(gaxDir, 'build', 'protos')],
      keepCase: true,
      longs: String,
      enums: String,
      defaults: false,
      oneofs: true,
    },
  )
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    google: {
      cloud: {
        secretmanager: { v1: { SecretManagerService: { service: grpc.ServiceDefinition } } }
      }
    }
  }
  return loaded.google.cloud.secretmanager.v1.SecretManagerService.service
}
