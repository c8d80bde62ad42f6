import type { FloeError, ProviderCheck, SecretListing } from '@floe/core'

/**
 * `check()` of an AWS provider: one cheap call (`probe`) that answers `ready`. A denied identity
 * is an error the user must fix; any other failure (endpoint down, throttled) is `unknown`, as
 * the next call may pass.
 */
export async function awsCheck(
  probe: () => Promise<unknown>,
  ready: string,
  classify: (error: unknown) => FloeError,
): Promise<ProviderCheck> {
  try {
    await probe()
    return { status: 'ready', detail: ready }
  } catch (error) {
    const failure = classify(error)
    return { status: failure.code === 'FORBIDDEN' ? 'error' : 'unknown', detail: failure.message }
  }
}

/**
 * `list()` of an AWS provider over a paginated SDK listing: entries without a Name are skipped,
 * `fields` adds what the entry says besides its name, and a failure is classified once.
 */
export async function* awsListings<Entry extends { Name?: string }>(
  entries: () => AsyncIterable<Entry>,
  fields: (entry: Entry) => Omit<SecretListing, 'name'>,
  classify: (error: unknown) => FloeError,
): AsyncIterable<SecretListing> {
  try {
    for await (const entry of entries()) {
      if (entry.Name) yield { name: entry.Name, ...fields(entry) }
    }
  } catch (error) {
    throw classify(error)
  }
}
