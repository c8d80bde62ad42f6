import { mkdir, readdir, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import {
  ConflictError,
  fetchedFromMap,
  fetchedFromText,
  FloeError,
  InvalidSecretError,
  SecretNotFoundError,
  SecretValue,
  type FetchedSecret,
  type FetchRequest,
  type ListOptions,
  type ProviderContext,
  type PutRequest,
  type PutResult,
  type SecretListing,
  type SecretMetadata,
  type SecretProvider,
} from '@floe/core'
import {
  contentVersion,
  directoryKeys,
  fsError,
  PROVIDER,
  readPrivateFile,
  resolvePath,
  statOrUndefined,
  writeAtomic,
  type PermissionPolicy,
} from './files.js'
import { inferFormat, parseStructured, serializeStructured, trimOneNewline } from './formats.js'
import { fileConfigSchema, type FileConfig, type FileFormat } from './validate.js'

/** The bytes a definition addresses, before interpretation. */
interface Loaded {
  path: string
  format: FileFormat
  /** [key, bytes]: one entry ('' key) for a file, one per key for a directory */
  parts: [string, Buffer][]
  version: string
  updatedAt: Date
}

interface Interpreted extends Loaded {
  /** the whole secret as text */
  text: string
  /** key → value text, when the secret has keys */
  map?: Record<string, string>
}

function parseConfig(secret: string, config: Record<string, unknown>): FileConfig {
  const parsed = fileConfigSchema.safeParse(config)
  if (!parsed.success) {
    throw new InvalidSecretError(
      `invalid file definition for "${secret}": ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      { provider: PROVIDER, secret },
    )
  }
  return parsed.data
}

function policyFor(config: FileConfig, ctx: ProviderContext): PermissionPolicy {
  const flag = ctx.env?.FLOE_ALLOW_INSECURE_FILES
  return {
    allowInsecure: config.allow_insecure_permissions === true || flag === '1' || flag === 'true',
  }
}

function assertKeyName(key: string, secret: string): void {
  if (
    key === '' ||
    key === '.' ||
    // `..data` and `..<timestamp>` are kubelet's bookkeeping; `.dockerconfigjson` is a real key
    key.startsWith('..') ||
    key.includes('/') ||
    key.includes('\\') ||
    key.includes('\0')
  ) {
    throw new InvalidSecretError(
      `"${key}" cannot be a key of a secrets directory (no ".." names or path separators)`,
      {
        provider: PROVIDER,
        secret,
      },
    )
  }
}

function decodeEntry(bytes: Buffer, config: FileConfig): string {
  if (config.encoding === 'base64') return bytes.toString('base64')
  const text = bytes.toString('utf8')
  return config.trim_newline === false ? text : trimOneNewline(text)
}

function encodeEntry(value: string, config: FileConfig): Buffer {
  if (config.encoding === 'base64') return Buffer.from(value, 'base64')
  // a value that itself ends with a newline gets one more, so the read-side trim gives it back
  const trimmed = config.trim_newline !== false
  return Buffer.from(trimmed && value.endsWith('\n') ? `${value}\n` : value, 'utf8')
}

async function load(
  secret: string,
  config: FileConfig,
  ctx: ProviderContext,
  policy: PermissionPolicy,
): Promise<Loaded> {
  const path = resolvePath(config.path, ctx.cwd)
  const info = await statOrUndefined(path, secret)
  if (!info) throw new SecretNotFoundError(`${path} does not exist`, { provider: PROVIDER, secret })
  const format = config.format ?? (info.isDirectory() ? 'dir' : inferFormat(path))
  if (format !== 'dir') {
    const { bytes, info: fileInfo } = await readPrivateFile(path, policy, secret)
    return {
      path,
      format,
      parts: [['', bytes]],
      version: contentVersion([['', bytes]]),
      updatedAt: fileInfo.mtime,
    }
  }
  if (!info.isDirectory()) {
    throw new InvalidSecretError(`${path} is not a directory (format: dir)`, {
      provider: PROVIDER,
      secret,
    })
  }
  const wanted = config.key ? [config.key] : (config.keys ?? (await directoryKeys(path, secret)))
  const parts: [string, Buffer][] = []
  let updatedAt = info.mtime
  for (const key of wanted) {
    assertKeyName(key, secret)
    const file = join(path, key)
    try {
      const { bytes, info: fileInfo } = await readPrivateFile(file, policy, secret)
      parts.push([key, bytes])
      if (fileInfo.mtime > updatedAt) updatedAt = fileInfo.mtime
    } catch (error) {
      if (error instanceof FloeError && error.code === 'NOT_FOUND') {
        throw new SecretNotFoundError(`${path} has no key "${key}"`, { provider: PROVIDER, secret })
      }
      throw error
    }
  }
  return { path, format, parts, version: contentVersion(parts), updatedAt }
}

async function interpret(secret: string, config: FileConfig, loaded: Loaded): Promise<Interpreted> {
  if (loaded.format === 'dir') {
    const map = Object.fromEntries(
      loaded.parts.map(([key, bytes]) => [key, decodeEntry(bytes, config)]),
    )
    return { ...loaded, text: JSON.stringify(map), map }
  }
  const bytes = loaded.parts[0]![1]
  if (loaded.format === 'raw') {
    const text = decodeEntry(bytes, config)
    return { ...loaded, text, ...mapOfText(text) }
  }
  const text = bytes.toString('utf8')
  const map = await parseStructured(loaded.format, text, loaded.path, secret)
  return { ...loaded, text, ...(map ? { map } : {}) }
}

/** A raw file holding a JSON object exposes its members, like every JSON secret in floe. */
function mapOfText(text: string): { map?: Record<string, string> } {
  const fetched = fetchedFromText(text, 'raw')
  if (!fetched.keys) return {}
  return { map: Object.fromEntries(Object.entries(fetched.keys).map(([k, v]) => [k, v.reveal()])) }
}

function toFetched(secret: string, config: FileConfig, item: Interpreted): FetchedSecret {
  const extras = { version: item.version }
  const keyList = Object.keys(item.map ?? {}).join(', ') || 'none'
  if (config.key !== undefined) {
    const value = item.map?.[config.key]
    if (value === undefined) {
      throw new SecretNotFoundError(`${item.path} has no key "${config.key}" (keys: ${keyList})`, {
        provider: PROVIDER,
        secret,
      })
    }
    // the value is the key's; the keys stay visible so secret://name/<key> (what core derives
    // for a `key:` definition) selects the same thing
    return {
      value: new SecretValue(value, secret),
      keys: Object.fromEntries(
        Object.entries(item.map!).map(([k, v]) => [k, new SecretValue(v, `${secret}/${k}`)]),
      ),
      ...extras,
    }
  }
  if (config.keys !== undefined) {
    const absent = config.keys.filter((k) => item.map?.[k] === undefined)
    if (absent.length > 0) {
      throw new SecretNotFoundError(
        `${item.path} has no key ${absent.map((k) => `"${k}"`).join(', ')} (keys: ${keyList})`,
        {
          provider: PROVIDER,
          secret,
        },
      )
    }
    return fetchedFromMap(
      Object.fromEntries(config.keys.map((k) => [k, item.map![k]!])),
      secret,
      extras,
    )
  }
  if (!item.map) return { value: new SecretValue(item.text, secret), ...extras }
  const keys = Object.fromEntries(
    Object.entries(item.map).map(([k, v]) => [k, new SecretValue(v, `${secret}/${k}`)]),
  )
  return { value: new SecretValue(item.text, secret), keys, ...extras }
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

export interface FileProviderOptions {
  /** directory listed by `list()` when the options carry no `config.path` */
  listRoot?: string
}

export function createFileProvider(options: FileProviderOptions = {}): SecretProvider {
  // one writer per path inside this process; across processes the hash check narrows the race
  const writers = new Map<string, Promise<unknown>>()
  const serialized = async <T>(path: string, work: () => Promise<T>): Promise<T> => {
    const previous = writers.get(path) ?? Promise.resolve()
    const next = previous.then(work, work)
    writers.set(
      path,
      next.catch(() => undefined),
    )
    return next
  }

  async function read(
    req: FetchRequest,
    ctx: ProviderContext,
  ): Promise<{ config: FileConfig; item: Interpreted }> {
    const config = parseConfig(req.secret, req.config)
    const loaded = await load(req.secret, config, ctx, policyFor(config, ctx))
    return { config, item: await interpret(req.secret, config, loaded) }
  }

  async function fetchOne(req: FetchRequest, ctx: ProviderContext): Promise<FetchedSecret> {
    try {
      const { config, item } = await read(req, ctx)
      if (req.version !== undefined && req.version !== item.version) {
        throw new SecretNotFoundError(
          `${item.path} is at version ${item.version}, not ${req.version} (files keep no history)`,
          { provider: PROVIDER, secret: req.secret },
        )
      }
      return toFetched(req.secret, config, item)
    } catch (error) {
      if (error instanceof FloeError) throw error
      throw fsError(error, String(req.config.path), req.secret)
    }
  }

  async function put(req: PutRequest, ctx: ProviderContext): Promise<PutResult> {
    const config = parseConfig(req.secret, req.config)
    const path = resolvePath(config.path, ctx.cwd)
    return serialized(path, async () => {
      const existing = await statOrUndefined(path, req.secret)
      const conflict = (message: string) =>
        new ConflictError(message, { provider: PROVIDER, secret: req.secret })
      if (existing && req.createOnly) throw conflict(`${path} already exists`)
      // put rewrites the file 0600, so it may replace one with loose permissions
      const current = existing ? await loadForWrite(req.secret, config, ctx) : undefined
      if (req.expectedVersion !== undefined) {
        if (!current)
          throw conflict(`${path} does not exist (expected version ${req.expectedVersion})`)
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
              provider: PROVIDER,
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
            provider: PROVIDER,
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
              { provider: PROVIDER, secret: req.secret },
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
    })
  }

  return {
    name: PROVIDER,
    fetchOne,

    async describe(req, ctx): Promise<SecretMetadata> {
      const { config, item } = await read(req, ctx)
      const fetched = toFetched(req.secret, config, item)
      return {
        exists: true,
        ...(fetched.keys ? { keys: Object.keys(fetched.keys) } : {}),
        version: item.version,
        updatedAt: item.updatedAt,
        type: item.format,
      }
    },

    async *list(opts: ListOptions, ctx): AsyncIterable<SecretListing> {
      const root = typeof opts.config?.path === 'string' ? opts.config.path : options.listRoot
      if (!root) {
        throw new InvalidSecretError('list needs a directory: pass config.path', {
          provider: PROVIDER,
        })
      }
      const dir = resolvePath(root, ctx.cwd)
      let names: string[]
      try {
        names = await readdir(dir)
      } catch (error) {
        throw fsError(error, dir, 'list')
      }
      for (const name of names.sort()) {
        if (name.startsWith('.')) continue
        if (opts.prefix !== undefined && !name.startsWith(opts.prefix)) continue
        const info = await stat(join(dir, name)).catch(() => undefined)
        if (!info || !(info.isFile() || info.isDirectory())) continue
        yield { name, type: info.isDirectory() ? 'dir' : inferFormat(name), updatedAt: info.mtime }
      }
    },

    put,

    async check(ctx, config) {
      if (!config) return { status: 'ready', detail: 'local files' }
      const parsed = fileConfigSchema.safeParse(config)
      if (!parsed.success) return { status: 'error', detail: 'invalid file definition' }
      const path = resolvePath(parsed.data.path, ctx.cwd)
      const info = await statOrUndefined(path, 'check').catch(() => undefined)
      return info
        ? { status: 'ready', detail: `${path} exists` }
        : { status: 'unknown', detail: `${path} does not exist` }
    },
  }
}
