import { existsSync } from 'node:fs'
import Module from 'node:module'
import { sep } from 'node:path'

type ResolveFilename = (request: string, ...rest: unknown[]) => string
const patched = Symbol.for('floe.testkit.awsSdkNodeBuilds')

/**
 * Makes `require()` of the AWS SDK pick its Node (dist-cjs) builds even when the process runs
 * with `--conditions module` (vitest passes its resolve conditions to workers). With that
 * condition @aws-sdk/core resolves to dist-es, a bundler build with extensionless imports
 * that Node cannot load. Test-only: call it before loading an AWS SDK client in a test or a
 * bench; plain Node never needs it.
 */
export function preferNodeBuildsOfAwsSdk(): void {
  const loader = Module as unknown as { _resolveFilename: ResolveFilename; [patched]?: boolean }
  if (loader[patched]) return
  const original = loader._resolveFilename
  const bundlerBuild = `${sep}dist-es${sep}`
  const nodeBuild = `${sep}dist-cjs${sep}`
  loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    const resolved = original.call(this, request, ...rest)
    if (
      resolved.includes(bundlerBuild) &&
      /[\\/]node_modules[\\/]@(aws-sdk|smithy|aws-crypto)[\\/]/.test(resolved)
    ) {
      const cjs = resolved.replace(bundlerBuild, nodeBuild)
      if (existsSync(cjs)) return cjs
    }
    return resolved
  }
  loader[patched] = true
}
