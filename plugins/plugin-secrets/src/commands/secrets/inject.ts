import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { Flags } from '@oclif/core'
import { findSecretRefs, FloeError, UsageError } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { writePrivateFile } from '../../lib/files.js'

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
    let template: string
    try {
      template = await readFile(input, 'utf8')
    } catch (error) {
      throw new UsageError(
        `cannot read template ${flags.input}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      )
    }
    let found
    try {
      found = findSecretRefs(template)
    } catch (error) {
      if (error instanceof FloeError && 'offset' in error) {
        const offset = (error as unknown as { offset: number }).offset
        const before = template.slice(0, offset).split('\n')
        throw new UsageError(
          `${flags.input}:${before.length}:${(before.at(-1)?.length ?? 0) + 1}: ${error.message}`,
        )
      }
      throw error
    }
    const undeclared = [
      ...new Set(found.filter((f) => !manifest.secrets[f.ref.name]).map((f) => f.ref.name)),
    ]
    if (undeclared.length) {
      throw new UsageError(
        `${flags.input} references undeclared secret${undeclared.length === 1 ? '' : 's'}: ${undeclared.join(', ')}`,
        {
          hint: `declare them under secrets: in ${manifest.path}`,
        },
      )
    }
    const resolver = await this.session.resolver()
    const report = await resolver.resolve(found.map((f) => f.ref))
    for (const w of report.warnings) this.warn_(w)
    if (report.failures.length) throw report.failures[0]!.error
    let text = ''
    let last = 0
    for (const f of found) {
      const value = report.valueOf(f.ref)
      text += template.slice(last, f.start) + (value ? value.reveal() : '')
      if (value) this.session.redactor.add(value)
      last = f.end
    }
    text += template.slice(last)
    await writePrivateFile(output, text)
    const distinct = new Set(found.map((f) => f.raw)).size
    return {
      result: { input, output, references: found.length, distinct },
      human: `Wrote ${flags.output} (mode 0600): ${found.length} reference${found.length === 1 ? '' : 's'} replaced (${distinct} distinct).`,
    }
  }
}
