import {
  isFloeError,
  type FetchRequest,
  type ProviderContext,
  type SecretMetadata,
  type SecretProvider,
} from '@floe/core'

/**
 * The secret's current metadata for a compare-and-set write: undefined when it does not
 * exist (or the provider cannot describe), every other failure propagates.
 */
export async function currentMetadata(
  provider: SecretProvider,
  request: FetchRequest,
  ctx: ProviderContext,
): Promise<SecretMetadata | undefined> {
  if (!provider.describe) return undefined
  try {
    return await provider.describe(request, ctx)
  } catch (error) {
    if (isFloeError(error, 'NOT_FOUND')) return undefined
    throw error
  }
}
