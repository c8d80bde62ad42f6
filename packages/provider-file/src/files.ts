import { createHash, randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import {
  chmod,
  link,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  type FileHandle,
} from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { homedir } from 'node:os'
import { basename, dirname, isAbsolute, join, resolve } from 'node:path'
import { ConflictError, ForbiddenError, InvalidSecretError } from '@floe/core'
import { PROVIDER_NAME } from './validate.js'
import { fsError } from './errors.js'

export function resolvePath(path: string, cwd: string): string {
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1))
  return isAbsolute(path) ? path : resolve(cwd, path)
}

export interface PermissionPolicy {
  allowInsecure: boolean
}

/**
 * Refuses a secret file that group or others can read, the way ssh refuses a private key:
 * such a file has already leaked to every local account. Windows has no POSIX modes.
 */
export function assertPrivate(
  path: string,
  info: Stats,
  policy: PermissionPolicy,
  secret: string,
): void {
  if (policy.allowInsecure || process.platform === 'win32') return
  const loose = info.mode & 0o077
  if (loose === 0) return
  const mode = (info.mode & 0o777).toString(8).padStart(4, '0')
  throw new ForbiddenError(
    `refusing to read ${path}: mode ${mode} lets group/others access it; run \`chmod 600 ${path}\``,
    {
      provider: PROVIDER_NAME,
      secret,
      hint: `chmod 600 ${path} (Kubernetes: defaultMode: 0400 on the secret volume), or set allow_insecure_permissions: true / FLOE_ALLOW_INSECURE_FILES=1 if this is intended`,
      details: { path, mode },
    },
  )
}

/** Reads a file after checking it is a private regular file. */
export async function readPrivateFile(
  path: string,
  policy: PermissionPolicy,
  secret: string,
): Promise<{ bytes: Buffer; info: Stats }> {
  let info: Stats
  try {
    info = await stat(path)
  } catch (error) {
    throw fsError(error, path, secret)
  }
  if (info.isDirectory())
    throw fsError(Object.assign(new Error('dir'), { code: 'EISDIR' }), path, secret)
  if (!info.isFile()) {
    throw new InvalidSecretError(`${path} is not a regular file`, {
      provider: PROVIDER_NAME,
      secret,
    })
  }
  assertPrivate(path, info, policy, secret)
  try {
    return { bytes: await readFile(path), info }
  } catch (error) {
    throw fsError(error, path, secret)
  }
}

/**
 * The visible keys of a mounted-secret directory: regular files (following symlinks), minus
 * dotfiles — kubelet keeps its `..data` / `..2024_…` bookkeeping under dot names and points
 * each visible key at `..data/<key>` through a symlink.
 */
export async function directoryKeys(path: string, secret: string): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(path)
  } catch (error) {
    throw fsError(error, path, secret)
  }
  const keys: string[] = []
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue
    try {
      if ((await stat(join(path, name))).isFile()) keys.push(name)
    } catch {
      // a dangling symlink mid-update (kubelet swaps ..data atomically): not a key
    }
  }
  return keys
}

/** Content version: a sha256 prefix, stable across processes, changes with any byte. */
export function contentVersion(parts: readonly (readonly [string, Buffer])[]): string {
  const hash = createHash('sha256')
  for (const [name, bytes] of parts) {
    hash.update(name).update('\0').update(String(bytes.length)).update('\0').update(bytes)
  }
  return hash.digest('hex').slice(0, 16)
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined
  try {
    handle = await open(dir, constants.O_RDONLY)
    await handle.sync()
  } catch {
    // not supported everywhere (e.g. some network filesystems); rename is still atomic
  } finally {
    await handle?.close()
  }
}

/**
 * Writes `bytes` to `path` atomically: a 0600 temp file in the same directory, fsync, then
 * rename over the target (or link, for create-only, which fails if the target appeared).
 */
export async function writeAtomic(
  path: string,
  bytes: Buffer,
  options: { createOnly: boolean; secret: string },
): Promise<void> {
  const dir = dirname(path)
  const temp = join(dir, `.${basename(path)}.floe-${randomBytes(6).toString('hex')}.tmp`)
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const handle = await open(temp, 'wx', 0o600)
    try {
      await handle.writeFile(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await chmod(temp, 0o600)
    if (options.createOnly) {
      try {
        await link(temp, path)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new ConflictError(`${path} already exists`, {
            provider: PROVIDER_NAME,
            secret: options.secret,
          })
        }
        throw error
      }
      await rm(temp, { force: true })
    } else {
      await rename(temp, path)
    }
    await syncDirectory(dir)
  } catch (error) {
    await rm(temp, { force: true })
    throw fsError(error, path, options.secret)
  }
}

export async function statOrUndefined(path: string, secret: string): Promise<Stats | undefined> {
  try {
    return await stat(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw fsError(error, path, secret)
  }
}
