/* eslint-disable @typescript-eslint/no-explicit-any -- built YAML is arbitrary */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { expect } from 'vitest'
import { parseAllDocuments } from 'yaml'
import type { EmittedFile } from '@floe/core'

/** Writes emitted files under `dir` and builds it with the real `kubectl kustomize`. */
export function kustomizeEmitted(files: readonly EmittedFile[], dir: string): any[] {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true })
    writeFileSync(join(dir, f.path), f.content)
  }
  const built = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' })
  expect(built.stderr).toBe('')
  expect(built.status).toBe(0)
  return parseAllDocuments(built.stdout).map((d) => d.toJS())
}
