import {
  ConflictError,
  fetchedFromMap,
  fetchedFromText,
  ForbiddenError,
  ProviderUnavailableError,
  SecretNotFoundError,
  secretOf,
  type FetchOutcome,
  type FetchRequest,
  type PutRequest,
  type SecretListing,
  type SecretMetadata,
  type SecretProvider,
} from '@floe/core'
import { createMemoryProvider } from '@floe/core/testing'
import { describe, expect, it } from 'vitest'
import {
  canaryValue,
  checks,
  ConformanceError,
  runProviderConformance,
  type ConformanceHarness,
} from '../src/index.js'

/**
 * A small, correct key/value store provider used to prove the suite: it passes every check,
 * and each deliberately broken variant below must be caught by the check that guards the rule.
 */
type Data = string | Record<string, string>
interface Entry {
  versions: { version: string; data: Data }[]
  forbidden: boolean
}

class Backend {
  entries = new Map<string, Entry>()
  calls = 0
  valueReads = 0
  failures = 0
  private counter = 0

  nextVersion(): string {
    this.counter += 1
    return String(this.counter)
  }
  /** counts a call and throws when a failure is scheduled */
  call(): void {
    this.calls += 1
    if (this.failures > 0) {
      this.failures -= 1
      throw new ProviderUnavailableError('backend returned 503', { provider: 'reference' })
    }
  }
  store(id: string, data: Data, forbidden = false): string {
    const version = this.nextVersion()
    const entry = this.entries.get(id) ?? { versions: [], forbidden }
    entry.versions.push({ version, data })
    this.entries.set(id, entry)
    return version
  }
}

const idOf = (config: Record<string, unknown>): string => String(config.id)
const textOf = (data: Data): string => (typeof data === 'string' ? data : JSON.stringify(data))

function referenceProvider(backend: Backend, batchSize = 10): SecretProvider {
  const lookup = (req: FetchRequest): Entry => {
    const entry = backend.entries.get(idOf(req.config))
    if (!entry)
      throw new SecretNotFoundError(`secret "${req.secret}" not found`, {
        provider: 'reference',
        secret: req.secret,
      })
    if (entry.forbidden)
      throw new ForbiddenError(`access to "${req.secret}" denied`, {
        provider: 'reference',
        secret: req.secret,
      })
    return entry
  }
  const outcome = (req: FetchRequest): FetchOutcome => {
    try {
      const entry = lookup(req)
      const found =
        req.version === undefined
          ? entry.versions.at(-1)
          : entry.versions.find((v) => v.version === req.version)
      if (!found)
        throw new SecretNotFoundError(`secret "${req.secret}" has no version ${req.version}`, {
          provider: 'reference',
          secret: req.secret,
        })
      backend.valueReads += 1
      const source = req.secret
      const secret =
        typeof found.data === 'string'
          ? fetchedFromText(found.data, source, { version: found.version })
          : fetchedFromMap(found.data, source, { version: found.version })
      return { ok: true, secret }
    } catch (error) {
      return { ok: false, error: error as SecretNotFoundError }
    }
  }
  return {
    name: 'reference',
    capabilities: { versions: true },
    async fetchOne(req, ctx) {
      return secretOf((await this.fetchMany!([req], ctx))[0])
    },
    async fetchMany(requests) {
      const out: FetchOutcome[] = []
      for (let i = 0; i < requests.length; i += batchSize) {
        backend.call()
        out.push(...requests.slice(i, i + batchSize).map(outcome))
      }
      return out
    },
    async describe(req): Promise<SecretMetadata> {
      backend.call()
      const latest = lookup(req).versions.at(-1)!
      const keys = typeof latest.data === 'string' ? undefined : Object.keys(latest.data)
      return { exists: true, version: latest.version, ...(keys ? { keys } : {}) }
    },
    async *list(): AsyncIterable<SecretListing> {
      backend.call()
      for (const [name, entry] of backend.entries) {
        const data = entry.versions.at(-1)!.data
        yield { name, ...(typeof data === 'string' ? {} : { keys: Object.keys(data).length }) }
      }
    },
    async put(req: PutRequest) {
      backend.call()
      const id = idOf(req.config)
      const entry = backend.entries.get(id)
      const previousVersion = entry?.versions.at(-1)?.version
      if (entry && req.createOnly)
        throw new ConflictError(`secret "${req.secret}" already exists`, {
          provider: 'reference',
          secret: req.secret,
        })
      if (req.expectedVersion !== undefined && req.expectedVersion !== previousVersion) {
        throw new ConflictError(
          `secret "${req.secret}" changed since version ${req.expectedVersion}`,
          { provider: 'reference', secret: req.secret },
        )
      }
      const data: Data =
        'reveal' in req.data && typeof req.data.reveal === 'function'
          ? req.data.reveal()
          : Object.fromEntries(
              Object.entries(req.data).map(([k, v]) => [k, (v as { reveal(): string }).reveal()]),
            )
      const version = backend.store(id, data)
      return { version, created: !entry, ...(previousVersion ? { previousVersion } : {}) }
    },
    async remove(req) {
      backend.call()
      const id = idOf(req.config)
      const current = backend.entries.get(id)?.versions.at(-1)?.version
      if (req.expectedVersion !== undefined && req.expectedVersion !== current) {
        throw new ConflictError(`secret "${req.secret}" is not at version ${req.expectedVersion}`, {
          provider: 'reference',
          secret: req.secret,
        })
      }
      if (current === undefined) return { deleted: false }
      backend.entries.delete(id)
      return { deleted: true, version: current }
    },
    async rotate(req) {
      backend.call()
      const entry = lookup(req)
      const previousVersion = entry.versions.at(-1)!.version
      const version = backend.store(idOf(req.config), canaryValue())
      return { version, previousVersion, steps: [`Rotated ${req.secret}`] }
    },
  }
}

function harnessFor(
  provider: (b: Backend) => SecretProvider,
  backend = new Backend(),
): ConformanceHarness {
  return {
    provider: provider(backend),
    async seed(name, data) {
      backend.store(name, data)
      return { id: name }
    },
    missing: (name) => ({ id: name }),
    async forbidden(name) {
      backend.store(name, canaryValue(), true)
      return { id: name }
    },
    failNext(times) {
      backend.failures += times
    },
    callCount: () => backend.calls,
    valueReads: () => backend.valueReads,
    async close() {},
  }
}

runProviderConformance({
  name: 'reference (in-test)',
  batchSize: 10,
  setup: async () => harnessFor((b) => referenceProvider(b)),
})

/** core's in-memory provider (`@floe/core/testing`), which other packages' tests rely on. */
runProviderConformance({
  name: 'memory (@floe/core/testing)',
  batchSize: 10,
  setup: async () => {
    const provider = createMemoryProvider({ batchSize: 10 })
    const total = () => Object.values(provider.calls).reduce((sum, n) => sum + n, 0)
    return {
      provider,
      async seed(name, data) {
        provider.set(name, data)
        return { id: name }
      },
      missing: (name) => ({ id: name }),
      async forbidden(name) {
        provider.set(name, canaryValue())
        provider.deny(name)
        return { id: name }
      },
      failNext: (times) => provider.failNext('unavailable', times),
      callCount: total,
      valueReads: () => provider.calls.fetch,
      async close() {},
    }
  },
})

/** A minimal provider with no optional capabilities: the suite must accept their absence. */
runProviderConformance({
  name: 'reference, fetch only',
  setup: async () => {
    const backend = new Backend()
    const full = referenceProvider(backend)
    const provider: SecretProvider = {
      name: 'fetch-only',
      fetchOne: (request, ctx) => full.fetchOne(request, ctx),
    }
    return { ...harnessFor(() => provider, backend), forbidden: undefined, failNext: undefined }
  },
})

function broken(
  patch: (provider: SecretProvider, backend: Backend) => Partial<SecretProvider>,
): ConformanceHarness {
  return harnessFor((backend) => {
    const provider = referenceProvider(backend)
    return { ...provider, ...patch(provider, backend) }
  })
}

describe('the conformance suite catches broken providers', () => {
  it('a provider that returns a value for a missing secret', async () => {
    const harness = broken((p) => ({
      async fetchMany(requests, ctx) {
        const outcomes = await p.fetchMany!(requests, ctx)
        return outcomes.map((o) =>
          o.ok ? o : { ok: true as const, secret: fetchedFromText('', 'x') },
        )
      },
    }))
    await expect(checks.notFoundVsEmpty(harness)).rejects.toThrow(
      /missing secret: expected NOT_FOUND, but the provider returned a value/,
    )
    await expect(checks.notFoundVsEmpty(harness)).rejects.toBeInstanceOf(ConformanceError)
  })

  it('a provider that reports an empty secret as missing', async () => {
    const harness = broken((p) => ({
      async fetchMany(requests, ctx) {
        const outcomes = await p.fetchMany!(requests, ctx)
        return outcomes.map((o, i) =>
          o.ok && o.secret.value.isEmpty
            ? {
                ok: false as const,
                error: new SecretNotFoundError('empty', { secret: requests[i]!.secret }),
              }
            : o,
        )
      },
    }))
    await expect(checks.notFoundVsEmpty(harness)).rejects.toThrow(
      /empty secret must be found and empty, got NOT_FOUND/,
    )
  })

  it('a provider that puts a value in an error message', async () => {
    const backend = new Backend()
    const harness = harnessFor(() => {
      const provider = referenceProvider(backend)
      return {
        ...provider,
        async fetchMany(requests, ctx) {
          if (backend.failures > 0) {
            backend.failures -= 1
            const data = backend.entries.get(idOf(requests[0]!.config))?.versions.at(-1)?.data ?? ''
            throw new ProviderUnavailableError(`upstream choked on ${textOf(data)}`)
          }
          return provider.fetchMany!(requests, ctx)
        },
      }
    }, backend)
    await expect(checks.transientFailure(harness)).rejects.toThrow(
      /a secret value leaked into the error/,
    )
    await expect(checks.noValueLeaks(harness)).rejects.toThrow(/a secret value leaked/)
  })

  it('a provider that logs a value', async () => {
    const harness = broken((p) => ({
      async fetchMany(requests, ctx) {
        const outcomes = await p.fetchMany!(requests, ctx)
        for (const o of outcomes)
          if (o.ok) ctx.logger.debug('fetched', { raw: o.secret.value.reveal() })
        return outcomes
      },
    }))
    await expect(checks.fetchSingle(harness)).rejects.toThrow(/leaked into the provider log/)
  })

  it('a provider whose describe() reads the value', async () => {
    const harness = broken((p, backend) => ({
      async describe(req, ctx) {
        backend.valueReads += 1
        return p.describe!(req, ctx)
      },
    }))
    await expect(checks.describeMetadata(harness)).rejects.toThrow(
      /describe\(\) read the secret value/,
    )
  })

  it('a provider whose describe() returns the value', async () => {
    const harness = broken((p, backend) => ({
      async describe(req, ctx) {
        const meta = await p.describe!(req, ctx)
        const data = backend.entries.get(idOf(req.config))!.versions.at(-1)!.data
        return { ...meta, status: { preview: textOf(data) } }
      },
    }))
    await expect(checks.describeMetadata(harness)).rejects.toThrow(
      /leaked into the metadata returned by describe/,
    )
  })

  it('a provider whose describe() of a missing secret says exists: false instead of NOT_FOUND', async () => {
    const harness = broken((p) => ({
      async describe(req, ctx) {
        try {
          return await p.describe!(req, ctx)
        } catch {
          return { exists: false }
        }
      },
    }))
    await expect(checks.describeMetadata(harness)).rejects.toThrow(
      /expected a NOT_FOUND error, but the call succeeded/,
    )
  })

  it('a provider whose list() carries values', async () => {
    const harness = broken((_p, backend) => ({
      async *list() {
        for (const [name, entry] of backend.entries)
          yield { name, value: textOf(entry.versions.at(-1)!.data) } as SecretListing
      },
    }))
    await expect(checks.listNames(harness)).rejects.toThrow(
      /leaked into a listing|returned a field "value"/,
    )
  })

  it('a provider whose list() misses secrets', async () => {
    const harness = broken(() => ({
      async *list() {
        yield { name: 'something-else' }
      },
    }))
    await expect(checks.listNames(harness)).rejects.toThrow(/did not include the seeded secret/)
  })

  it('a provider that ignores compare-and-set', async () => {
    const harness = broken((p) => ({
      async put(req, ctx) {
        return p.put!({ ...req, expectedVersion: undefined }, ctx)
      },
    }))
    await expect(checks.putCompareAndSet(harness)).rejects.toThrow(
      /stale expectedVersion: expected a CONFLICT error, but the call succeeded/,
    )
  })

  it('a provider that ignores createOnly', async () => {
    const harness = broken((p) => ({
      async put(req, ctx) {
        return p.put!({ ...req, createOnly: false }, ctx)
      },
    }))
    await expect(checks.putCompareAndSet(harness)).rejects.toThrow(
      /createOnly\) of an existing secret: expected a CONFLICT/,
    )
  })

  it('a provider whose remove() ignores compare-and-set', async () => {
    const harness = broken((p) => ({
      async remove(req, ctx) {
        return p.remove!({ ...req, expectedVersion: undefined }, ctx)
      },
    }))
    await expect(checks.removeSecret(harness)).rejects.toThrow(
      /remove\(\) with a stale expectedVersion: expected a CONFLICT error, but the call succeeded/,
    )
  })

  it('a provider whose remove() of an absent secret throws NOT_FOUND', async () => {
    const harness = broken((p) => ({
      async remove(req, ctx) {
        const result = await p.remove!(req, ctx)
        if (!result.deleted) throw new SecretNotFoundError('already gone')
        return result
      },
    }))
    await expect(checks.removeSecret(harness)).rejects.toThrow(/already gone/)
  })

  it('a provider that reports a forbidden secret as not found', async () => {
    const harness = broken((p) => ({
      async fetchMany(requests, ctx) {
        const outcomes = await p.fetchMany!(requests, ctx)
        return outcomes.map((o) =>
          !o.ok && o.error.code === 'FORBIDDEN'
            ? { ok: false as const, error: new SecretNotFoundError('nope') }
            : o,
        )
      },
    }))
    await expect(checks.forbidden(harness)).rejects.toThrow(/expected FORBIDDEN, got NOT_FOUND/)
    await expect(checks.errorClassification(harness)).rejects.toThrow(
      /expected FORBIDDEN, got NOT_FOUND/,
    )
  })

  it('a provider that turns a transient failure into NOT_FOUND', async () => {
    const harness = broken((p, backend) => ({
      async fetchMany(requests, ctx) {
        if (backend.failures > 0) {
          backend.failures -= 1
          return requests.map(() => ({
            ok: false as const,
            error: new SecretNotFoundError('gone'),
          }))
        }
        return p.fetchMany!(requests, ctx)
      },
    }))
    await expect(checks.transientFailure(harness)).rejects.toThrow(
      /must be UNAVAILABLE, got NOT_FOUND/,
    )
  })

  it('a provider that loses the order of a batch', async () => {
    const harness = broken((p) => ({
      async fetchMany(requests, ctx) {
        return (await p.fetchMany!(requests, ctx)).reverse()
      },
    }))
    await expect(checks.fetchBatch(harness, { batchSize: 10 })).rejects.toThrow(ConformanceError)
  })

  it('a provider that drops outcomes', async () => {
    const harness = broken((p) => ({
      async fetchMany(requests, ctx) {
        return (await p.fetchMany!(requests, ctx)).filter((o) => o.ok)
      },
    }))
    await expect(checks.fetchBatch(harness)).rejects.toThrow(/outcomes for \d+ requests/)
  })

  it('a provider that claims batching but calls the backend once per secret', async () => {
    const harness = harnessFor((b) => referenceProvider(b, 1))
    await expect(checks.fetchBatch(harness, { batchSize: 10 })).rejects.toThrow(
      /made 9 backend calls; the minimum is 1/,
    )
  })

  it('a provider that declares a capability its methods already tell', async () => {
    // an old-contract provider: `batch` follows from fetchMany, `write` from put
    const harness = broken(() => ({ capabilities: { versions: true, batch: true } as never }))
    await expect(checks.capabilitiesMatchMethods(harness)).rejects.toThrow(
      /capabilities.batch is derived from the provider's methods/,
    )
  })

  it('a provider without fetchOne (the old fetch(requests[]) contract)', async () => {
    const harness = broken(() => ({ fetchOne: undefined }))
    await expect(checks.capabilitiesMatchMethods(harness)).rejects.toThrow(
      /provider.fetchOne must be a function/,
    )
  })

  it('a provider that loses old versions', async () => {
    const harness = broken((p) => ({
      async fetchMany(requests, ctx) {
        return p.fetchMany!(
          requests.map(({ version: _version, ...r }) => r),
          ctx,
        )
      },
    }))
    await expect(checks.versions(harness)).rejects.toThrow(/previous version/)
  })
})

describe('canaryValue', () => {
  it('is unique and recognisable', () => {
    const a = canaryValue()
    const b = canaryValue()
    expect(a).toMatch(/^canary-[0-9a-f]{24}$/)
    expect(a).not.toBe(b)
  })
})
