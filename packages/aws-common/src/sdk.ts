/**
 * The SDK prints a multi-line "will require node >=22" warning on stderr at the first client
 * of every process on Node 20. floe pins SDK majors that still run on Node 20 (the
 * `engines` field of every package.json says >=20.19), so the warning is noise in every CLI
 * command's output; users can still opt back in by setting the variable themselves.
 */
export function quietNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
}

/**
 * A loader that imports an SDK client package on first use, so importing a provider (and
 * running `floe --help`) costs nothing. The provider passes its own `require` (from
 * `createRequire(import.meta.url)`), because the SDK is the provider's dependency, not ours;
 * require() picks the SDK's Node build.
 */
export function lazySdk<T>(load: () => unknown): () => T {
  let sdk: T | undefined
  return () => {
    quietNodeVersionWarning()
    sdk ??= load() as T
    return sdk
  }
}
