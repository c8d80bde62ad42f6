import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import {
  FloeError,
  InvalidSecretError,
  SecretNotFoundError,
  type FetchedSecret,
  type FetchRequest,
  type ListOptions,
  type ProviderContext,
  type PutRequest,
  type PutResult,
  type RemoveRequest,
  type RemoveResult,
  type SecretListing,
  type SecretMetadata,
  type SecretProvider,
} from '@floe/core'
import { resolvePath, statOrUndefined } from './files.js'
import { inferFormat } from './formats.js'
import { PROVIDER_NAME, parseFileConfig, type FileConfig } from './validate.js'
import { interpret, load, parseConfig, policyFor, toFetched, type Interpreted } from './read.js'
import { writeFileSecret } from './write.js'
import { removeFileSecret } from './delete.js'
import { fsError } from './errors.js'

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
    const config = await parseConfig(req.secret, req.config)
    const loaded = await load(req.secret, config, ctx, policyFor(config, ctx))
    return { config, item: await interpret(req.secret, config, loaded) }
  }

  async function fetchOne(req: FetchRequest, ctx: ProviderContext): Promise<FetchedSecret> {
    try {
      const { config, item } = await read(req, ctx)
      if (req.version !== undefined && req.version !== item.version) {
        throw new SecretNotFoundError(
          `${item.path} is at version ${item.version}, not ${req.version} (files keep no history)`,
          { provider: PROVIDER_NAME, secret: req.secret },
        )
      }
      return toFetched(req.secret, config, item)
    } catch (error) {
      if (error instanceof FloeError) throw error
      throw fsError(error, String(req.config.path), req.secret)
    }
  }

  async function put(req: PutRequest, ctx: ProviderContext): Promise<PutResult> {
    const config = await parseConfig(req.secret, req.config)
    const path = resolvePath(config.path, ctx.cwd)
    return serialized(path, () => writeFileSecret(req, config, path, ctx))
  }

  async function remove(req: RemoveRequest, ctx: ProviderContext): Promise<RemoveResult> {
    const config = await parseConfig(req.secret, req.config)
    const path = resolvePath(config.path, ctx.cwd)
    return serialized(path, () => removeFileSecret(req, config, path, ctx))
  }

  return {
    name: PROVIDER_NAME,
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
          provider: PROVIDER_NAME,
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
    remove,

    async check(ctx, config) {
      if (!config) return { status: 'ready', detail: 'local files' }
      const parsed = await parseFileConfig(config)
      if (!parsed.success) return { status: 'error', detail: 'invalid file definition' }
      const path = resolvePath(parsed.data.path, ctx.cwd)
      const info = await statOrUndefined(path, 'check').catch(() => undefined)
      return info
        ? { status: 'ready', detail: `${path} exists` }
        : { status: 'unknown', detail: `${path} does not exist` }
    },
  }
}
