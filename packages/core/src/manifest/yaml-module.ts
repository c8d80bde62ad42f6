import { createRequire } from 'node:module'
import type * as Yaml from 'yaml'

const requireFromHere = createRequire(import.meta.url)
let yamlModule: typeof Yaml | undefined
/**
 * The `yaml` library (~70 modules) only serves manifests js-yaml rejects and their error
 * positions: loaded on demand so a normal CLI start never pays for it. Synchronous because
 * `yaml` ships CommonJS.
 */
export const yaml = (): typeof Yaml => (yamlModule ??= requireFromHere('yaml') as typeof Yaml)
