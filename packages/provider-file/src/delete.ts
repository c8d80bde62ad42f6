import { rm } from 'node:fs/promises'
import {
  ConflictError,
  FloeError,
  InvalidSecretError,
  type ProviderContext,
  type RemoveRequest,
  type RemoveResult,
} from '@floe/core'
import { fsError } from './errors.js'
import { statOrUndefined } from './files.js'
import { PROVIDER_NAME } from './validate.js'
import { interpret, load } from './read.js'
import type { FileConfig } from './validate.js'

/**
 * Deletes a file secret: the file, or a secrets directory with its entries. A definition that
 * addresses one `key:` inside a shared file is refused (deleting it would mean rewriting the
 * others' file). Compare-and-set uses the content version fetch and describe report.
 */
export async function removeFileSecret(
  req: RemoveRequest,
  config: FileConfig,
  path: string,
  ctx: ProviderContext,
): Promise<RemoveResult> {
  const options = { provider: PROVIDER_NAME, secret: req.secret }
  if (config.key !== undefined) {
    throw new InvalidSecretError(
      `definition "${req.secret}" is key "${config.key}" of ${path}, which other keys share: floe deletes whole files only`,
      { ...options, hint: `delete ${path} with its own tools, or drop the key with put` },
    )
  }
  const existing = await statOrUndefined(path, req.secret)
  if (!existing) {
    if (req.expectedVersion !== undefined)
      throw new ConflictError(
        `${path} does not exist (expected version ${req.expectedVersion})`,
        options,
      )
    return { deleted: false }
  }
  let version: string
  try {
    const item = await interpret(
      req.secret,
      config,
      await load(req.secret, config, ctx, { allowInsecure: true }),
    )
    version = item.version
  } catch (error) {
    throw error instanceof FloeError ? error : fsError(error, path, req.secret)
  }
  if (req.expectedVersion !== undefined && version !== req.expectedVersion) {
    throw new ConflictError(
      `${path} changed: it is at version ${version}, not ${req.expectedVersion}`,
      options,
    )
  }
  try {
    await rm(path, { recursive: existing.isDirectory(), force: true })
  } catch (error) {
    throw fsError(error, path, req.secret)
  }
  return { deleted: true, version }
}
