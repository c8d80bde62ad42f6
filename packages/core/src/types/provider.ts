/** The provider contract and what a provider package exports. Types only. */
import type { z } from 'zod'
import type { ProviderMetadata } from '../registry/package-metadata.js'
import type { Logger } from './logging.js'
import type {
  DescribeResult,
  FetchOutcome,
  FetchRequest,
  FetchedSecret,
  LeaseInfo,
  ListOptions,
  ProviderCheck,
  PutRequest,
  PutResult,
  RemoveRequest,
  RemoveResult,
  RotationResult,
  SecretListing,
  SecretMetadata,
} from './requests.js'

/**
 * What a provider can do, as `capabilitiesOf(provider)` (provider-kit.ts) derives it: every
 * flag but `versions` and `dynamic` follows from which methods the provider has.
 */
export interface ProviderCapabilities {
  /** has `list()` */
  list: boolean
  /** has `put()` */
  write: boolean
  /** has `rotate()` */
  rotate: boolean
  /** declared: fetches by `?version=` */
  versions: boolean
  /** declared: issues leased credentials (then `renew()` and `revoke()` exist) */
  dynamic: boolean
  /** has `fetchMany()` */
  batch: boolean
  /** has `describe()` */
  describe: boolean
  /** has `remove()` */
  delete: boolean
}

/** The only capabilities a provider declares; the rest cannot be observed from its methods. */
export type DeclaredCapabilities = Partial<Pick<ProviderCapabilities, 'versions' | 'dynamic'>>

export interface ProviderContext {
  env: NodeJS.ProcessEnv
  cwd: string
  logger: Logger
  signal?: AbortSignal
}

/**
 * The provider contract. Only `name` and `fetchOne` are required; core supplies the loop,
 * batching and the per-provider concurrency cap (`fetchAll` in provider-kit.ts), and derives
 * capabilities from the methods present (`capabilitiesOf`).
 */
export interface SecretProvider {
  readonly name: string
  /** `versions` / `dynamic`; everything else is derived from the methods (default: none) */
  readonly capabilities?: DeclaredCapabilities
  /** One secret. Throws a FloeError (SecretNotFoundError, ForbiddenError…) when it fails. */
  fetchOne(request: FetchRequest, ctx: ProviderContext): Promise<FetchedSecret>
  /**
   * Optional native batch read (e.g. BatchGetSecretValue): one outcome per request, in order.
   * May throw for a whole-call failure. Called with at most `maxBatchSize` requests.
   */
  fetchMany?(requests: readonly FetchRequest[], ctx: ProviderContext): Promise<FetchOutcome[]>
  /** largest batch `fetchMany()` accepts, e.g. 20 for BatchGetSecretValue (default 20) */
  readonly maxBatchSize?: number
  /** Metadata only; never reads the value. Throws SecretNotFoundError when absent. */
  describe?(request: FetchRequest, ctx: ProviderContext): Promise<SecretMetadata>
  /**
   * Metadata of several secrets in one call (e.g. SSM DescribeParameters with a Name filter);
   * one outcome per request, in order (a missing secret is `{ok: false, error: NOT_FOUND}`).
   */
  describeMany?(requests: readonly FetchRequest[], ctx: ProviderContext): Promise<DescribeResult[]>
  /** largest batch describeMany() accepts */
  readonly maxDescribeBatchSize?: number
  list?(options: ListOptions, ctx: ProviderContext): AsyncIterable<SecretListing>
  put?(request: PutRequest, ctx: ProviderContext): Promise<PutResult>
  /**
   * Deletes the secret and its versions (capability `delete`). Honours `expectedVersion`
   * when the backend has versions; a secret already absent is `{deleted: false}`, not an error.
   */
  remove?(request: RemoveRequest, ctx: ProviderContext): Promise<RemoveResult>
  /** Provider-native rotation (e.g. AWS RotateSecret with a Lambda). */
  rotate?(request: FetchRequest, ctx: ProviderContext): Promise<RotationResult>
  /**
   * What `rotate()` would do, checked without changing anything (for `rotate --dry-run`):
   * the same checks, throwing what rotate() would throw (UNSUPPORTED when this secret has no
   * rotation configured, e.g. no Lambda); `steps` say what would happen. Without it a dry run
   * can only say that the provider's rotation would be tried.
   */
  planRotation?(request: FetchRequest, ctx: ProviderContext): Promise<RotationResult>
  renew?(lease: LeaseInfo, ctx: ProviderContext, incrementSeconds?: number): Promise<LeaseInfo>
  revoke?(lease: LeaseInfo, ctx: ProviderContext): Promise<void>
  check?(ctx: ProviderContext, config?: Record<string, unknown>): Promise<ProviderCheck>
  dispose?(): Promise<void>
}

/**
 * What a provider package's entry module exports (named export `provider`, or default).
 * `create` receives provider-specific options; tests pass an SDK client bound to an emulator.
 */
export interface ProviderModule<Options = Record<string, unknown>> {
  /** manifest `provider:` value, e.g. 'vault', 'aws_secrets_manager' */
  name: string
  packageName: string
  /**
   * zod schema for the provider's own fields of a secret definition, or a function that imports
   * and builds it: a provider with `vouchesForConfig` then loads no zod for a manifest it vouches
   * for (start-up, issue 17). Read it with `configSchemaOf(module)`.
   */
  configSchema: z.ZodType | (() => Promise<z.ZodType>)
  /**
   * Optional hand-written check of the same fields: true only when configSchema accepts them
   * as they are; false means "not sure" and the loader runs configSchema (its issues are the
   * errors). Spares a manifest load zod's parse of every secret (start-up, issue 17).
   */
  vouchesForConfig?(fields: Record<string, unknown>): boolean
  /** for modules given in memory: what a package.json `floe` field would say */
  metadata?: ProviderMetadata
  /** a provider instance; `options` are provider-specific (tests pass an emulator-bound client) */
  create(options?: Options): SecretProvider
}
