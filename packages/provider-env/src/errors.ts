import { ForbiddenError, ProviderUnavailableError, type FloeError } from '@floe/core'
import { PROVIDER_NAME } from './validate.js'

/** The errno code of a filesystem failure. */
export function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

/** A failure reading an env file as floe's typed error (never with the file's contents). */
export function envFileError(error: unknown, path: string, secret: string): FloeError {
  const code = codeOf(error)
  if (code === 'EACCES' || code === 'EPERM') {
    return new ForbiddenError(`cannot read env file ${path}: permission denied`, {
      provider: PROVIDER_NAME,
      secret,
      hint: 'check the file owner and mode (chmod 600, owned by the user running floe)',
    })
  }
  // EIO, EMFILE, EBUSY… are conditions a retry may clear
  return new ProviderUnavailableError(`cannot read env file ${path} (${code ?? 'unknown error'})`, {
    provider: PROVIDER_NAME,
    secret,
  })
}
