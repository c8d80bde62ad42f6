import { requireFromCore } from '../require-from-core.js'
import type * as Yaml from 'yaml'

let yamlModule: typeof Yaml | undefined
/**
 * The `yaml` library (~70 modules) only serves manifests js-yaml rejects and their error
 * positions: loaded on demand so a normal CLI start never pays for it. Synchronous because
 * `yaml` ships CommonJS.
 */
export const yaml = (): typeof Yaml => (yamlModule ??= requireFromCore('yaml') as typeof Yaml)
