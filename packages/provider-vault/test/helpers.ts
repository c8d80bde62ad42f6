import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Logger, ProviderContext } from '@floe/core'
import { startVaultEmulator, type VaultEmulator, type VaultEmulatorOptions } from '@floe/testkit'
import { createNodeVaultClient, type NodeVaultClient } from '../src/client.js'

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
}

/** A logger that keeps every line, so tests can assert no value was logged. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${fields ? JSON.stringify(fields) : ''}`)
  }
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
}

export function context(env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): ProviderContext {
  return { env, cwd, logger: silentLogger }
}

export interface Fixture {
  vault: VaultEmulator
  client: NodeVaultClient
  dir: string
  file(name: string, content: string): Promise<string>
  close(): Promise<void>
}

/** An emulator, a real node-vault client bound to it, and a temp dir for token/JWT files. */
export async function startFixture(options: VaultEmulatorOptions = {}): Promise<Fixture> {
  const vault = await startVaultEmulator(options)
  const client = await createNodeVaultClient({ address: vault.url, timeoutMs: 5_000 })
  const dir = await mkdtemp(join(tmpdir(), 'floe-vault-'))
  return {
    vault,
    client,
    dir,
    async file(name, content) {
      const path = join(dir, name)
      await writeFile(path, content)
      return path
    },
    async close() {
      await vault.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
