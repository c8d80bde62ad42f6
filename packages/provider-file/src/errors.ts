import {
  FloeError,
  ForbiddenError,
  InvalidSecretError,
  ProviderUnavailableError,
  SecretNotFoundError,
} from '@floe/core'
import { PROVIDER_NAME } from './validate.js'

/** Maps a filesystem error to a typed floe error (never including file contents). */
export function fsError(error: unknown, path: string, secret: string): FloeError {
  if (error instanceof FloeError) return error
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const options = { provider: PROVIDER_NAME, secret }
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new SecretNotFoundError(`${path} does not exist`, options)
    case 'EACCES':
    case 'EPERM':
      return new ForbiddenError(`permission denied reading ${path}`, {
        ...options,
        hint: 'the user running floe must own the file or be allowed to read it',
      })
    case 'EISDIR':
      return new InvalidSecretError(
        `${path} is a directory; use format: dir (or omit format)`,
        options,
      )
    case 'EROFS':
      return new ForbiddenError(`${path} is on a read-only filesystem`, options)
    default:
      // EIO, EMFILE, EBUSY, EAGAIN…: conditions a retry may clear
      return new ProviderUnavailableError(
        `cannot access ${path} (${code ?? 'unknown error'})`,
        options,
      )
  }
}
