import { readFile, stat } from 'node:fs/promises'
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

/**
 * Reads and parses .env files with dotenv's own parser, caching each by path and re-reading
 * only when its mtime or size changes (a long-running resolver sees edits).
 */
export class EnvFileReader {
  private cache = new Map<string, Cached>()

  async read(file: string, cwd: string, secret: string): Promise<EnvFile> {
    const path = isAbsolute(file) ? file : resolve(cwd, file)
    let info
    try {
      info = await stat(path)
    } catch (error) {
      if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR')
        return { path, exists: false, values: {} }
      throw envFileError(error, path, secret)
    }
    if (!info.isFile()) {
      throw new InvalidSecretError(`env file ${path} is not a regular file`, {
        provider: PROVIDER_NAME,
        secret,
      })
    }
    const cached = this.cache.get(path)
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) {
      return { path, exists: true, values: cached.values }
    }
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      throw envFileError(error, path, secret)
    }
    const dotenv = (await import('dotenv')).default
    const values = dotenv.parse(text)
    this.cache.set(path, { mtimeMs: info.mtimeMs, size: info.size, values })
    return { path, exists: true, values }
  }
}
