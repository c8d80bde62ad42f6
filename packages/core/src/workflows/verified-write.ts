/**
 * A provider write whose answer may be lost: the request was sent, then the connection dropped
 * or the client's timeout fired, so the write may or may not have been applied. Reporting that
 * as a plain UNAVAILABLE is wrong either way (the value may have changed, or a blind retry may
 * write twice), so the outcome is settled before answering:
 *
 * 1. the provider reads the secret back (`readBack`: version numbers, ids, checksums — it
 *    compares the stored payload with the written one in memory and never prints either);
 * 2. landed → success, with a warning saying how it was learnt (logged and audited by
 *    `writeSecret`, and rotation hooks run);
 * 3. not landed → retried only when the write is idempotent (an idempotency token, a
 *    check-and-set version); otherwise UNAVAILABLE with `details.writeState: 'not-landed'`;
 * 4. read-back failed → UNAVAILABLE with `writeState: 'unknown'` and the command to check.
 *
 * Vault, GCP, Azure and Parameter Store use this one helper; only the calls and the read-back
 * are theirs. Secrets Manager's write is two calls (stage, then promote), settled by its own
 * packages/provider-aws-secrets-manager/src/staged-write.ts.
 */
import { ProviderUnavailableError, type FloeError } from '../errors.js'

/** What a read-back found. */
export type ReadBackState =
  | { landed: true; version?: string }
  | {
      landed: false
      /** the version current now */
      version?: string
      /**
       * why it cannot be this write even later, e.g. "version 3 holds another writer's value":
       * the write is reported not landed and never retried
       */
      superseded?: string
    }

export interface VerifiedWrite<T> {
  /** provider name for the errors */
  provider: string
  /** manifest secret name */
  secret: string
  /** the call as the service names it, e.g. "AddSecretVersion" */
  operation: string
  write(): Promise<T>
  /** the provider's own error mapping */
  classify(error: unknown): FloeError
  /**
   * true when no answer arrived at all (timeout, reset, dropped stream), so the write may have
   * been applied; a service's own error answer is never ambiguous
   */
  answerLost(error: unknown, failure: FloeError): boolean
  /** what became of the write; called only after a lost answer */
  readBack(): Promise<ReadBackState>
  /**
   * the write may be repeated safely (idempotency token, check-and-set): after a read-back
   * that found it not landed it is sent again, up to `attempts` sends in all. `how` says why
   * it is safe, e.g. "with the same check-and-set version 4"
   */
  retry?: { attempts: number; how: string }
  /** the version current before the write, for "still version N" */
  before?: string
  /** the version in the write's own answer, for the warning after a retry */
  versionOf?(answer: T): string | undefined
}

export interface VerifiedWriteResult<T> {
  /** the write's own answer; absent when a read-back settled the outcome */
  answer?: T
  /** the version a read-back found the write landed as */
  version?: string
  /** how an ambiguous outcome was settled (empty when the first answer arrived) */
  warnings: string[]
}

const withoutPrefix = (message: string): string => message.replace(/^\[[^\]]+\] /, '')

/** Runs `spec.write()`, settling a lost answer by reading back (see the module comment). */
export async function verifiedWrite<T>(spec: VerifiedWrite<T>): Promise<VerifiedWriteResult<T>> {
  const attempts = Math.max(1, spec.retry?.attempts ?? 1)
  let lost: string | undefined
  for (let sent = 1; ; sent += 1) {
    let failure: FloeError
    try {
      const answer = await spec.write()
      if (!lost) return { answer, warnings: [] }
      const version = spec.versionOf?.(answer)
      const retry = spec.retry ? `the retry ${spec.retry.how}` : 'the retry'
      return {
        answer,
        warnings: [
          `${lost}; read back: it had not landed, and ${retry} ${version !== undefined ? `wrote version ${version}` : 'succeeded'}`,
        ],
      }
    } catch (error) {
      failure = spec.classify(error)
      // a retry refused as a conflict may be the first send, applied late
      const late = lost !== undefined && failure.code === 'CONFLICT'
      if (!late && !spec.answerLost(error, failure)) throw failure
    }
    lost ??= `the answer to ${spec.operation} was lost (${withoutPrefix(failure.message)})`
    const state = await readBack(spec, lost)
    if (state.landed) {
      return {
        ...(state.version !== undefined ? { version: state.version } : {}),
        warnings: [
          `${lost}; read back: it landed${state.version !== undefined ? ` as version ${state.version}` : ''}`,
        ],
      }
    }
    if (failure.code === 'CONFLICT' && !state.superseded) throw failure
    if (state.superseded || sent >= attempts) throw notLanded(spec, lost, state, sent, failure)
  }
}

async function readBack<T>(spec: VerifiedWrite<T>, lost: string): Promise<ReadBackState> {
  try {
    return await spec.readBack()
  } catch (error) {
    const before =
      spec.before !== undefined ? ` (version ${spec.before} was current before the write)` : ''
    throw new ProviderUnavailableError(
      `${lost}, and reading it back failed: whether secret "${spec.secret}" changed is unknown`,
      {
        provider: spec.provider,
        secret: spec.secret,
        hint: `check with: floe secrets describe ${spec.secret}${before}`,
        details: {
          writeState: 'unknown',
          ...(spec.before !== undefined ? { expectedVersion: spec.before } : {}),
        },
        cause: error,
      },
    )
  }
}

function notLanded<T>(
  spec: VerifiedWrite<T>,
  lost: string,
  state: Extract<ReadBackState, { landed: false }>,
  sent: number,
  failure: FloeError,
): FloeError {
  const now = state.version !== undefined ? ` (still version ${state.version})` : ''
  const what = state.superseded
    ? `${state.superseded}, so this write did not land`
    : sent > 1
      ? `it had not landed, and ${sent - 1 === 1 ? 'the retry' : `${sent - 1} retries`} failed too: secret "${spec.secret}" did not change${now}`
      : `it did not land: secret "${spec.secret}" did not change${now}`
  return new ProviderUnavailableError(`${lost}; read back: ${what}`, {
    provider: spec.provider,
    secret: spec.secret,
    hint: state.superseded
      ? 're-read the secret and retry if the new value is still wanted'
      : spec.retry
        ? 'retry later: a repeated write is safe'
        : 'nothing changed: run the command again once the provider answers',
    details: {
      writeState: 'not-landed',
      ...(state.version !== undefined ? { version: state.version } : {}),
    },
    cause: failure,
  })
}

/**
 * The read-back of a service that adds a version per write and has no idempotency token
 * (GCP AddSecretVersion, Azure SetSecret, SSM PutParameter): among the versions added since
 * the write began (`added`, oldest first) the first that `holdsWrite` (a payload checksum or
 * an in-memory comparison, never printed) is this write. None added → not landed, `current`
 * still current; only others' → another writer's value, not this write.
 */
export async function findWrittenVersion(
  added: readonly string[],
  holdsWrite: (version: string) => Promise<boolean>,
  current: string | undefined,
  how = '',
): Promise<ReadBackState> {
  for (const version of added) if (await holdsWrite(version)) return { landed: true, version }
  const latest = added.at(-1) ?? current
  return {
    landed: false,
    ...(latest !== undefined ? { version: latest } : {}),
    ...(added.length
      ? { superseded: `version ${latest} holds another writer's value${how ? ` (${how})` : ''}` }
      : {}),
  }
}
