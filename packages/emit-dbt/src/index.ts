import type { EmitterModule } from '@floe/core'
import { renderProfiles } from './profiles.js'

export { ADAPTERS, type AdapterSpec } from './adapters.js'
export {
  renderProfiles,
  dbtEnvBindings,
  dbtEnvName,
  DBT_SECRET_PREFIX,
  type RenderedProfiles,
} from './profiles.js'

/** File name `floe secrets emit dbt` writes. */
export const PROFILES_FILE = 'profiles.yml'

/** `floe secrets emit dbt`: profiles.yml whose credentials are env_var() calls, never values. */
export const emitter: EmitterModule = {
  name: 'dbt',
  packageName: '@floe/emit-dbt',
  options: {},
  async emit(ctx) {
    const { yaml, warnings } = renderProfiles(ctx.manifest)
    return { files: [{ path: PROFILES_FILE, content: yaml, containsValues: false }], warnings }
  },
}

export default emitter
