/**
 * Where the files of `floe secrets emit` go: stdout (one document, never values) or a
 * directory (files holding values 0600, nothing outside the directory), and the lines that
 * say what was written. Kept out of the command so it stays a thin wrapper.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { UsageError, type EmitResult } from '@floe/core'
import { writePrivateFile } from './files.js'

export interface EmittedFileSummary {
  path: string
  bytes: number
  containsValues: boolean
}

export function emittedSummary(emitted: EmitResult): EmittedFileSummary[] {
  return emitted.files.map((f) => ({
    path: f.path,
    bytes: Buffer.byteLength(f.content),
    containsValues: Boolean(f.containsValues),
  }))
}

/** The text printed with no -o DIR: the emitter's own stream, else the files joined. */
export function emittedStdout(emitted: EmitResult): string {
  if (emitted.files.some((f) => f.containsValues))
    throw new UsageError('the output holds values: give -o DIR')
  if (emitted.stdout !== undefined) return emitted.stdout.trimEnd()
  if (emitted.files.length === 1) return emitted.files[0]!.content.trimEnd()
  return emitted.files.map((f) => `# ---- ${f.path}\n${f.content.trimEnd()}`).join('\n')
}

/**
 * Writes the files under `output` (as given on the command line, for messages) and returns
 * the absolute directory. A path leading outside it is refused.
 */
export async function writeEmittedFiles(
  emitted: EmitResult,
  output: string,
  packageName: string,
): Promise<string> {
  const outDir = resolve(output)
  for (const file of emitted.files) {
    const target = join(outDir, file.path)
    if (!target.startsWith(outDir))
      throw new UsageError(`emitter ${packageName} tried to write outside ${output}: ${file.path}`)
    await mkdir(dirname(target), { recursive: true })
    if (file.containsValues) await writePrivateFile(target, file.content)
    else await writeFile(target, file.content, { mode: file.mode ?? 0o644 })
  }
  return outDir
}

export function writtenText(files: readonly EmittedFileSummary[], output: string): string {
  return [
    `Wrote ${files.length} file${files.length === 1 ? '' : 's'} to ${output}:`,
    ...files.map((f) => `  ${f.path}${f.containsValues ? ' (0600, holds values)' : ''}`),
  ].join('\n')
}
