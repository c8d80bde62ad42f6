import { readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Args } from '@oclif/core'
import { UsageError } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { ensureDataDir } from '../../lib/data-dir-packages.js'

interface Linked {
  name: string
  root: string
  dataDir: string
}

interface UserPlugin {
  type: string
  name: string
  root?: string
}

/**
 * For plugin authors: oclif itself loads the `link` plugins listed in the data directory's
 * package.json, so linking needs no @oclif/plugin-plugins (which floe does not ship).
 */
export default class PluginsLink extends FloeCommand<Linked> {
  static override summary = 'Load an oclif command plugin from a local folder (for plugin authors)'
  static override description =
    "Adds the folder to the CLI's data directory (env FLOE_DATA_DIR) as a linked plugin; its commands appear at once. The plugin must be built (floe does not transpile TypeScript unless FLOE_AUTO_TRANSPILE=1) and have its dependencies installed."
  static override examples = ['<%= config.bin %> plugins link ./floe-plugin-hello']
  static override args = {
    path: Args.string({ description: 'the plugin folder', required: true }),
  }
  static override flags = {}
  static override strict = false

  protected async execute(): Promise<Outcome<Linked>> {
    const { args } = await this.parse(PluginsLink)
    let root: string
    let name: string
    try {
      root = realpathSync(resolve(args.path))
      name = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string })
        .name!
    } catch {
      throw new UsageError(`no package.json in ${args.path}`, {
        hint: 'pass the folder of a built oclif plugin',
      })
    }
    if (!name) throw new UsageError(`${args.path}/package.json has no name`)
    const dataDir = this.config.dataDir
    ensureDataDir(dataDir)
    const file = join(dataDir, 'package.json')
    const pjson = JSON.parse(readFileSync(file, 'utf8')) as {
      oclif?: { schema?: number; plugins?: UserPlugin[] }
    }
    pjson.oclif ??= { schema: 1 }
    const plugins = (pjson.oclif.plugins ?? []).filter((p) => p.name !== name)
    plugins.push({ type: 'link', name, root })
    pjson.oclif.plugins = plugins
    writeFileSync(file, JSON.stringify(pjson, null, 2) + '\n')
    return {
      result: { name, root, dataDir },
      human: `${this.paint.ok('✓')} Linked ${name} from ${root}`,
    }
  }
}
