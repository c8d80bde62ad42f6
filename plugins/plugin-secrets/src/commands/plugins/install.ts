import { Args } from '@oclif/core'
import { UsageError } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'

/**
 * The answer to `floe plugins install`: the CLI ships without @oclif/plugin-plugins (it brings
 * npm and yarn, over half the install, and puts npm/npx/yarn into a project's
 * node_modules/.bin). Providers and emitters are packages, not oclif plugins.
 */
export default class PluginsInstall extends FloeCommand<never> {
  static override summary = 'Not available: use `floe providers add` for providers and emitters'
  static override description =
    "floe providers and emitters are npm packages, not oclif plugins: `floe providers add vault` installs one for a global or npx CLI, `npm i @floe/provider-vault` in a project. An oclif plugin that adds commands (floe-plugin-*, @floe/plugin-*) is loaded from your project's package.json dependencies."
  static override examples = ['<%= config.bin %> providers add vault']
  static override args = { name: Args.string({ description: 'package name' }) }
  static override strict = false

  protected async execute(): Promise<Outcome<never>> {
    const { argv } = await this.parse(PluginsInstall)
    const names = (argv as string[]).join(' ') || 'NAME'
    throw new UsageError('floe has no `plugins install`: providers and emitters are packages', {
      hint: `for a global or npx CLI: ${this.config.bin} providers add ${names}; in a project: npm i ${names} (an oclif command plugin: add it to your project's package.json)`,
    })
  }
}
