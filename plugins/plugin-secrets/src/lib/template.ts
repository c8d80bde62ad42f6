import { readFile } from 'node:fs/promises'
import {
  findSecretRefs,
  FloeError,
  UsageError,
  type LoadedManifest,
  type Redactor,
  type Resolver,
} from '@floe/core'

export interface ParsedTemplate {
  /** the path as the user gave it, for messages */
  label: string
  text: string
  found: ReturnType<typeof findSecretRefs>
  /** the manifest secrets the template references */
  secrets: string[]
}

/** Reads a template and finds its secret:// references; every one must be declared. */
export async function readTemplate(
  path: string,
  label: string,
  manifest: Pick<LoadedManifest, 'secrets' | 'path'>,
): Promise<ParsedTemplate> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new UsageError(
      `cannot read template ${label}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    )
  }
  let found
  try {
    found = findSecretRefs(text)
  } catch (error) {
    if (error instanceof FloeError && 'offset' in error) {
      const offset = (error as unknown as { offset: number }).offset
      const before = text.slice(0, offset).split('\n')
      throw new UsageError(
        `${label}:${before.length}:${(before.at(-1)?.length ?? 0) + 1}: ${error.message}`,
      )
    }
    throw error
  }
  const secrets = [...new Set(found.map((f) => f.ref.name))]
  const undeclared = secrets.filter((name) => !manifest.secrets[name])
  if (undeclared.length) {
    throw new UsageError(
      `${label} references undeclared secret${undeclared.length === 1 ? '' : 's'}: ${undeclared.join(', ')}`,
      { hint: `declare them under secrets: in ${manifest.path}` },
    )
  }
  return { label, text, found, secrets }
}

/** The template with every reference replaced by its value (added to `redactor`). */
export async function renderTemplate(
  template: ParsedTemplate,
  resolver: Pick<Resolver, 'resolve'>,
  redactor: Redactor,
  warn: (message: string) => void,
): Promise<string> {
  const { found } = template
  const report = await resolver.resolve(found.map((f) => f.ref))
  for (const warning of report.warnings) warn(warning)
  if (report.failures.length) throw report.failures[0]!.error
  let text = ''
  let last = 0
  for (const f of found) {
    const value = report.valueOf(f.ref)
    text += template.text.slice(last, f.start) + (value ? value.reveal() : '')
    if (value) redactor.add(value)
    last = f.end
  }
  text += template.text.slice(last)
  return text
}
