import { join } from 'node:path'
import {
  fetchedFromMap,
  fetchedFromText,
  FloeError,
  InvalidSecretError,
  SecretNotFoundError,
  SecretValue,
  type FetchedSecret,
  type ProviderContext,
} from '@floe/core'
import {
  contentVersion,
  directoryKeys,
  readPrivateFile,
  resolvePath,
  statOrUndefined,
  type PermissionPolicy,
} from './files.js'
import { inferFormat, parseStructured, trimOneNewline } from './formats.js'
import { PROVIDER_NAME, parseFileConfig, type FileConfig, type FileFormat } from './validate.js'

/** The bytes a definition addresses, before interpretation. */
export interface Loaded {
  path: string
  format: FileFormat
  /** [key, bytes]: one entry ('' key) for a file, one per key for a directory */
  parts: [string, Buffer][]
  version: string
  updatedAt: Date
}

export interface Interpreted extends Loaded {
  /** the whole secret as text */
  text: string
  /** key → value text, when the secret has keys */
  map?: Record<string, string>
}

export async function parseConfig(
  secret: string,
  config: Record<string, unknown>,
): Promise<FileConfig> {
  const parsed = await parseFileConfig(config)
  if (!parsed.success) {
    throw new InvalidSecretError(
      `invalid file definition for "${secret}": ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      { provider: PROVIDER_NAME, secret },
    )
  }
  return parsed.data
}

export function policyFor(config: FileConfig, ctx: ProviderContext): PermissionPolicy {
  const flag = ctx.env?.FLOE_ALLOW_INSECURE_FILES
  return {
    allowInsecure: config.allow_insecure_permissions === true || flag === '1' || flag === 'true',
  }
}

export function decodeEntry(bytes: Buffer, config: FileConfig): string {
  if (config.encoding === 'base64') return bytes.toString('base64')
  const text = bytes.toString('utf8')
  return config.trim_newline === false ? text : trimOneNewline(text)
}

export async function load(
  secret: string,
  config: FileConfig,
  ctx: ProviderContext,
  policy: PermissionPolicy,
): Promise<Loaded> {
  const path = resolvePath(config.path, ctx.cwd)
  const info = await statOrUndefined(path, secret)
  if (!info)
    throw new SecretNotFoundError(`${path} does not exist`, { provider: PROVIDER_NAME, secret })
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
      provider: PROVIDER_NAME,
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
        throw new SecretNotFoundError(`${path} has no key "${key}"`, {
          provider: PROVIDER_NAME,
          secret,
        })
      }
      throw error
    }
  }
  return { path, format, parts, version: contentVersion(parts), updatedAt }
}

export async function interpret(
  secret: string,
  config: FileConfig,
  loaded: Loaded,
): Promise<Interpreted> {
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

export function toFetched(secret: string, config: FileConfig, item: Interpreted): FetchedSecret {
  const extras = { version: item.version }
  const keyList = Object.keys(item.map ?? {}).join(', ') || 'none'
  if (config.key !== undefined) {
    const value = item.map?.[config.key]
    if (value === undefined) {
      throw new SecretNotFoundError(`${item.path} has no key "${config.key}" (keys: ${keyList})`, {
        provider: PROVIDER_NAME,
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
          provider: PROVIDER_NAME,
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

export function assertKeyName(key: string, secret: string): void {
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
        provider: PROVIDER_NAME,
        secret,
      },
    )
  }
}
