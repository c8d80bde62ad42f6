import { readFileSync, statSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { InvalidSecretError } from '@floe/core'
import { codeOf, envFileError } from './errors.js'
import { PROVIDER_NAME } from './validate.js'

export interface EnvFile {
  /** absolute path */
  path: string
  /** false when the file does not exist (dotenv's behaviour: not an error by itself) */
  exists: boolean
  values: Record<string, string>
}

interface Cached {
  mtimeMs: number
  size: number
  values: Record<string, string>
}

/** What one look at a path found; errors stay raw, each caller names its own secret. */
type Snapshot =
  | { kind: 'missing' }
  | { kind: 'not-a-file' }
  | { kind: 'file'; values: Record<string, string> }
  | { kind: 'failed'; error: unknown }

/**
 * Reads and parses .env files with dotenv's own parser, caching each by path and re-reading
 * only when its mtime or size changes (a long-running resolver sees edits). Reads of one path
 * that overlap share one stat and read: 50 secrets of one .env resolved together look at it
 * once, not 50 times (start-up, issue 17); a read after they settle looks again.
 */
export class EnvFileReader {
  private cache = new Map<string, Cached>()
  private inflight = new Map<string, Promise<Snapshot>>()

  async read(file: string, cwd: string, secret: string): Promise<EnvFile> {
    const path = isAbsolute(file) ? file : resolve(cwd, file)
    let pending = this.inflight.get(path)
    if (pending === undefined) {
      pending = this.snapshot(path).finally(() => this.inflight.delete(path))
      this.inflight.set(path, pending)
    }
    const found = await pending
    switch (found.kind) {
      case 'missing':
        return { path, exists: false, values: {} }
      case 'not-a-file':
        throw new InvalidSecretError(`env file ${path} is not a regular file`, {
          provider: PROVIDER_NAME,
          secret,
        })
      case 'failed':
        throw envFileError(found.error, path, secret)
      case 'file':
        return { path, exists: true, values: found.values }
    }
  }

  // synchronous on purpose, as dotenv reads: the first asynchronous fs call starts libuv's thread
  // pool (≈ 2 ms of `floe secrets exec`), and a .env is one small file
  private async snapshot(path: string): Promise<Snapshot> {
    let info
    try {
      info = statSync(path)
    } catch (error) {
      if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return { kind: 'missing' }
      return { kind: 'failed', error }
    }
    if (!info.isFile()) return { kind: 'not-a-file' }
    const cached = this.cache.get(path)
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size)
      return { kind: 'file', values: cached.values }
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      return { kind: 'failed', error }
    }
    const dotenv = (await import('dotenv')).default
    const values = dotenv.parse(text)
    this.cache.set(path, { mtimeMs: info.mtimeMs, size: info.size, values })
    return { kind: 'file', values }
  }
}
