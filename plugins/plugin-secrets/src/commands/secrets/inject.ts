import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { Flags } from '@oclif/core'
import { UsageError } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { writePrivateFile } from '../../lib/files.js'
import { readTemplate, renderTemplate } from '../../lib/template.js'

interface InjectResult {
  input: string
  output: string
  references: number
  distinct: number
}

export default class SecretsInject extends FloeCommand<InjectResult> {
  static override summary = 'Replace secret:// references in a file, writing the result 0600'
  static override description =
    'Every secret://name/key in the template is resolved through the manifest and replaced by its value. The output file is created with mode 0600 and written atomically; the output holds values, so keep it out of git.'
  static override examples = [
    '<%= config.bin %> secrets inject -i config/app.template.yaml -o /run/app/config.yaml',
    '<%= config.bin %> secrets inject -i .env.template -o .env',
  ]
  static override flags = {
    input: Flags.string({
      char: 'i',
      description: 'template file with secret:// references',
      required: true,
    }),
    output: Flags.string({
      char: 'o',
      description: 'file to write (created 0600); required because the result holds values',
      required: true,
    }),
  }

  protected async execute(): Promise<Outcome<InjectResult>> {
    const { flags } = await this.parse(SecretsInject)
    const manifest = await this.session.manifest()
    const input = resolve(flags.input)
    const output = resolve(flags.output)
    if (input === output)
      throw new UsageError(
        'input and output are the same file: the template would be overwritten with values',
      )
    const target = await stat(output).catch(() => undefined)
    if (target?.isDirectory())
      throw new UsageError(`output ${flags.output} is a directory`, {
        hint: `name a file, e.g. -o ${flags.output.replace(/\/+$/, '')}/config`,
      })
    const template = await readTemplate(input, flags.input, manifest)
    const text = await renderTemplate(
      template,
      await this.session.resolver(),
      this.session.redactor,
      (warning) => this.warn_(warning),
    )
    const { found } = template
    await writePrivateFile(output, text).catch((error: NodeJS.ErrnoException) => {
      throw error.code
        ? new UsageError(`cannot write ${flags.output}: ${error.code}`, {
            hint: 'check that the directory exists and is writable',
          })
        : error
    })
    const distinct = new Set(found.map((f) => f.raw)).size
    return {
      result: { input, output, references: found.length, distinct },
      human: `Wrote ${flags.output} (mode 0600): ${found.length} reference${found.length === 1 ? '' : 's'} replaced (${distinct} distinct).`,
    }
  }
}
