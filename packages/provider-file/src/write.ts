import { mkdir, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import {
  ConflictError,
  FloeError,
  InvalidSecretError,
  SecretValue,
  type ProviderContext,
  type PutRequest,
  type PutResult,
} from '@floe/core'
import { contentVersion, statOrUndefined, writeAtomic } from './files.js'
import { inferFormat, parseStructured, serializeStructured } from './formats.js'
import { PROVIDER_NAME, type FileConfig, type FileFormat } from './validate.js'
import { assertKeyName, interpret, load, type Interpreted } from './read.js'
import { fsError } from './errors.js'

function encodeEntry(value: string, config: FileConfig): Buffer {
  if (config.encoding === 'base64') return Buffer.from(value, 'base64')
  // a value that itself ends with a newline gets one more, so the read-side trim gives it back
  const trimmed = config.trim_newline !== false
  return Buffer.from(trimmed && value.endsWith('\n') ? `${value}\n` : value, 'utf8')
}

function plainData(data: PutRequest['data']): string | Record<string, string> {
  if (data instanceof SecretValue) return data.reveal()
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.reveal()]))
}

/**
 * What a write compares against: the same bytes fetch/describe address (so their versions
 * are valid `expectedVersion`s), read even when permissions are loose — put rewrites 0600.
 * A key not yet present in a directory reads as "no current value".
 */
async function loadForWrite(
  secret: string,
  config: FileConfig,
  ctx: ProviderContext,
): Promise<Interpreted | undefined> {
  try {
    return await interpret(secret, config, await load(secret, config, ctx, { allowInsecure: true }))
  } catch (error) {
    if (error instanceof FloeError && error.code === 'NOT_FOUND') return undefined
    throw error
  }
}

/**
 * One write of a file secret (the caller serializes writers per path): compare-and-set against
 * the content version, then an atomic 0600 write of the file, or of each key of a directory.
 */
export async function writeFileSecret(
  req: PutRequest,
  config: FileConfig,
  path: string,
  ctx: ProviderContext,
): Promise<PutResult> {
  const existing = await statOrUndefined(path, req.secret)
  const conflict = (message: string) =>
    new ConflictError(message, { provider: PROVIDER_NAME, secret: req.secret })
  if (existing && req.createOnly) throw conflict(`${path} already exists`)
  // put rewrites the file 0600, so it may replace one with loose permissions
  const current = existing ? await loadForWrite(req.secret, config, ctx) : undefined
  if (req.expectedVersion !== undefined) {
    if (!current) throw conflict(`${path} does not exist (expected version ${req.expectedVersion})`)
    if (current.version !== req.expectedVersion) {
      throw conflict(
        `${path} changed: it is at version ${current.version}, not ${req.expectedVersion}`,
      )
    }
  }
  let data = plainData(req.data)
  if (config.key !== undefined) {
    if (typeof data !== 'string') {
      throw new InvalidSecretError(
        `definition "${req.secret}" addresses key "${config.key}": write a single value`,
        {
          provider: PROVIDER_NAME,
          secret: req.secret,
        },
      )
    }
    data = { ...(current?.map ?? {}), [config.key]: data }
  }
  const format: FileFormat =
    config.format ??
    (existing?.isDirectory() ||
    (!existing && typeof data !== 'string' && inferFormat(path) === 'raw')
      ? 'dir'
      : inferFormat(path))

  let parts: [string, Buffer][]
  if (format === 'dir') {
    if (typeof data === 'string') {
      throw new InvalidSecretError(`${path} is a secrets directory: write key/value data`, {
        provider: PROVIDER_NAME,
        secret: req.secret,
      })
    }
    for (const key of Object.keys(data)) assertKeyName(key, req.secret)
    if (!existing) {
      try {
        await mkdir(dirname(path), { recursive: true, mode: 0o700 })
        // not recursive: a directory that appeared since the stat is a create-only conflict
        await mkdir(path, { mode: 0o700 })
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST')
          throw conflict(`${path} already exists`)
        throw fsError(error, path, req.secret)
      }
    }
    parts = Object.entries(data)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => [key, encodeEntry(value, config)])
    for (const [key, bytes] of parts) {
      await writeAtomic(join(path, key), bytes, { createOnly: false, secret: req.secret })
    }
    if (config.key === undefined && current?.format === 'dir') {
      for (const [stale] of current.parts) {
        if (!(stale in data)) await rm(join(path, stale), { force: true })
      }
    }
  } else {
    let bytes: Buffer
    if (format === 'raw') {
      if (typeof data !== 'string') {
        throw new InvalidSecretError(
          `${path} is a raw file and holds one value; use a .json/.yaml/.env file or a directory for keys`,
          { provider: PROVIDER_NAME, secret: req.secret },
        )
      }
      bytes = encodeEntry(data, config)
    } else if (typeof data === 'string') {
      // the caller wrote the serialized document itself: it must parse as that format
      await parseStructured(format, data, path, req.secret)
      bytes = Buffer.from(data, 'utf8')
    } else {
      bytes = Buffer.from(await serializeStructured(format, data, path, req.secret), 'utf8')
    }
    await writeAtomic(path, bytes, { createOnly: !existing, secret: req.secret })
    parts = [['', bytes]]
  }
  const version = contentVersion(parts)
  return {
    version,
    created: !existing,
    ...(current ? { previousVersion: current.version } : {}),
  }
}
