/**
 * The one zod schema of a floe manifest. It validates shape only — no transforms —
 * so that it converts to JSON Schema for editors; normalize.ts turns the validated data into
 * the typed SecretDefinition / SecretsConfig contract.
 */
import { z } from 'zod'
import { ENV_NAME_PATTERN, ENV_NAMING_SCHEMES } from '../naming/env-names.js'
import { DURATION_PATTERN, SECRET_NAME_PATTERN } from './patterns.js'

export { DURATION_PATTERN, ENV_NAME_PATTERN, SECRET_NAME_PATTERN }
const duration = z
  .union([
    z.string().regex(DURATION_PATTERN, { error: 'expected a duration like 30s, 5m, 1h or 250ms' }),
    z.number().nonnegative(),
  ])
  .meta({ description: 'A duration: 30s, 5m, 1h, 250ms, 1d — or a number of seconds.' })

const cache = z.union([
  z.boolean(),
  z.strictObject({
    enabled: z.boolean().optional().meta({ description: 'Default true.' }),
    ttl: duration
      .optional()
      .meta({ description: 'How long a fetched value is reused. Default 5m.' }),
  }),
])

const retry = z.strictObject({
  attempts: z
    .int()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: 'Total attempts including the first. Default 3.' }),
  backoff: z.enum(['exponential', 'constant']).optional(),
  initial_delay: duration.optional(),
  max_delay: duration.optional(),
})

const onMissingAction = z.enum(['fail', 'default', 'warn'])
const onMissing = z.union([
  onMissingAction,
  z.strictObject({
    action: onMissingAction,
    default_value: z.union([z.string(), z.number(), z.boolean()]).optional(),
    message: z.string().optional(),
  }),
])

const generator = z
  .strictObject({
    length: z.int().min(8).max(4096).optional().meta({ description: 'Default 32.' }),
    charset: z
      .enum(['alphanumeric', 'alphanumeric-symbols', 'hex', 'numeric'])
      .optional()
      .meta({ description: 'Default alphanumeric.' }),
  })
  .meta({ description: 'How to generate a value: length and character set.' })

const rotation = z.strictObject({
  generate: z
    .union([generator, z.record(z.string().min(1), generator)])
    .optional()
    .meta({
      description:
        'Values `floe secrets rotate NAME` / `create NAME` generate when no value is given and the provider has no rotation of its own: {KEY: {length, charset}} per key, or {length, charset} for a single value.',
    }),
  auto_refresh: z.boolean().optional(),
  refresh_interval: duration.optional(),
  on_rotation: z
    .strictObject({
      action: z.enum(['reconnect', 'restart', 'alert']),
      grace_period: duration.optional(),
      signal: z
        .string()
        .regex(/^SIG[A-Z0-9]+$/)
        .optional()
        .meta({ description: 'reconnect: the signal sent to the child (default SIGHUP).' }),
      command: z.string().min(1).optional().meta({
        description:
          'alert: a hook command run with FLOE_ROTATED_SECRET and FLOE_ROTATED_VERSION (never the value).',
      }),
    })
    .optional(),
  restart: z
    .array(z.string())
    .optional()
    .meta({ description: 'Kubernetes workloads to restart after rotation.' }),
})

const renewal = z.strictObject({
  enabled: z.boolean().optional(),
  increment: duration.optional(),
  min_renewal: duration.optional(),
})

const lease = z.strictObject({
  renewal_enabled: z.boolean().optional(),
  min_renewal_seconds: z.number().nonnegative().optional(),
  increment_seconds: z.number().nonnegative().optional(),
})

const fallback = z.looseObject({ provider: z.string().min(1) }).meta({
  description:
    "A second source tried when the provider fails: its provider and that provider's fields.",
})

const envNamingScheme = z.enum(ENV_NAMING_SCHEMES).meta({
  description:
    'key: secret://s/KEY → KEY; secret_key (default): secret://s/KEY → S_KEY (a key repeating the secret name is not doubled).',
})
const envPrefix = z.string().regex(ENV_NAME_PATTERN, {
  error: 'an env var prefix is letters, digits and _, not starting with a digit',
})
const envNamingSection = z
  .union([
    envNamingScheme,
    z.strictObject({
      scheme: envNamingScheme.optional(),
      dbt_prefix: z
        .union([envPrefix, z.literal('')])
        .optional()
        .meta({
          description:
            "Put in front of every env var a dbt profile reads. Default DBT_ENV_SECRET_ (dbt scrubs those values from its logs); '' for the plain names.",
        }),
    }),
  ])
  .meta({ description: 'How secret:// references become env var names (exec, dbt, Kubernetes).' })

/** Shared policy fields are typed; everything else is the provider's own and passes through. */
export const secretDefinitionSchema = z
  .looseObject({
    provider: z.string().min(1).optional().meta({
      description:
        'vault, aws_secrets_manager, aws_parameter_store, kubernetes, azure_key_vault, gcp_secret_manager, env, file, or a third-party provider. Defaults to secrets._config.default_provider.',
    }),
    _group: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Inherit the fields of secrets._groups.<name>.' }),
    keys: z
      .array(z.string().min(1))
      .optional()
      .meta({ description: 'Keys the secret is expected to hold.' }),
    key: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'The one key of the source this secret stands for.' }),
    type: z.string().optional().meta({
      description: '`dynamic` for leased (Vault) credentials; otherwise provider-specific.',
    }),
    cache: cache.optional(),
    retry: retry.optional(),
    fallback: fallback.optional(),
    on_missing: onMissing.optional(),
    rotation: rotation.optional(),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    scope: z.string().min(1).optional(),
    renewal: renewal.optional(),
    lease: lease.optional(),
    env_naming: envNamingScheme
      .optional()
      .meta({ description: "This secret's env var names: overrides the top-level env_naming." }),
    env_prefix: envPrefix.optional().meta({
      description:
        "Env var names are <env_prefix>_<KEY> (replaces the scheme's <SECRET>_ prefix), e.g. SNOWFLAKE → SNOWFLAKE_ACCOUNT.",
    }),
  })
  .meta({
    description: 'Where a secret lives: its provider, the provider fields and shared policies.',
  })

const secretsConfig = z.strictObject({
  default_provider: z.string().min(1).optional(),
  cache: cache.optional(),
  retry: retry.optional(),
  concurrency: z
    .int()
    .min(1)
    .max(1024)
    .optional()
    .meta({ description: 'In-flight calls per provider. Default 8.' }),
  rotation: rotation
    .optional()
    .meta({ description: 'Defaults for every secret: refresh_interval and on_rotation.' }),
  audit: z
    .strictObject({
      enabled: z.boolean().optional(),
      log_access: z
        .boolean()
        .optional()
        .meta({ description: 'Audit successful reads too (get, exec, resolve). Default true.' }),
      log_destination: z.string().optional().meta({
        description: 'Audit log file (or a directory: <dir>/floe-audit.jsonl); same as path.',
      }),
      path: z.string().optional(),
      key: z
        .string()
        .regex(/^secret:\/\//, 'a secret:// reference')
        .optional()
        .meta({ description: 'secret:// reference to the HMAC key of the audit chain.' }),
      key_file: z
        .string()
        .optional()
        .meta({ description: 'HMAC key file (0600, created on first use). Default <log>.key.' }),
    })
    .optional(),
})

/** the keys patterns.ts's SECRETS_CONFIG_KEYS must list */
export const secretsConfigKeys = (): string[] => Object.keys(secretsConfig.shape)

const secretsSection = z
  .object({
    _config: secretsConfig.optional(),
    _groups: z.record(z.string(), secretDefinitionSchema).optional(),
  })
  .catchall(secretDefinitionSchema)
  .meta({ description: 'Secret name → definition.' })

const secretRefName = z.string().min(1)

const k8sSecretsPlugin = z.looseObject({
  type: z.literal('k8s'),
  config: z.looseObject({ namespace: z.string().optional() }).optional(),
})
const esoSecretsPlugin = z.looseObject({
  type: z.literal('external-secrets'),
  config: z.looseObject({
    store: z.string().min(1).meta({ description: 'ClusterSecretStore name.' }),
    store_kind: z.enum(['ClusterSecretStore', 'SecretStore']).optional(),
    refresh_interval: duration.optional(),
  }),
})
const vaultSecretsPlugin = z.looseObject({
  type: z.literal('vault'),
  config: z.looseObject({
    address: z.string().min(1),
    auth_method: z.enum(['kubernetes', 'approle', 'token', 'aws']).optional(),
    role: z.string().optional(),
    mount_path: z.string().optional(),
    secret_path_prefix: z.string().optional(),
  }),
})

const pluginsSection = z
  .looseObject({
    secrets: z
      .discriminatedUnion('type', [k8sSecretsPlugin, esoSecretsPlugin, vaultSecretsPlugin])
      .optional(),
  })
  .catchall(z.looseObject({ type: z.string().optional() }))
  .meta({
    description: 'Platform plugins: secrets backend, compute, catalog… with *_secret_ref fields.',
  })

const ingestionSection = z.looseObject({
  pipelines: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        source: z
          .looseObject({
            type: z.string().optional(),
            secret_refs: z.record(z.string(), secretRefName).optional(),
          })
          .optional(),
      }),
    )
    .optional(),
})

const duckdbSecret = z.looseObject({
  type: z.string().min(1),
  name: z.string().min(1),
  persistent: z.boolean().optional(),
  scope: z.union([z.string(), z.array(z.string())]).optional(),
  provider: z.string().optional(),
})

const duckdbSection = z
  .looseObject({
    database: z.string().optional(),
    install_extensions: z.array(z.string()).optional(),
    load_extensions: z.array(z.string()).optional(),
    secret_directory: z.string().optional(),
    secrets: z.array(duckdbSecret).optional(),
  })
  .meta({
    description: 'DuckDB secrets; parameters are checked per type by @floe/emit-duckdb.',
  })

const dbtSection = z
  .looseObject({
    profiles: z.record(
      z.string(),
      z.looseObject({
        target: z.string().optional(),
        outputs: z.record(z.string(), z.record(z.string(), z.unknown())),
      }),
    ),
  })
  .meta({ description: 'Mirrors dbt profiles.yml; credential fields are secret:// references.' })

const envSection = z
  .record(
    z
      .string()
      .regex(ENV_NAME_PATTERN, { error: 'environment variable names are letters, digits and _' }),
    z.string().startsWith('secret://', { error: 'expected a secret:// reference' }),
  )
  .meta({ description: 'Explicit ENV_VAR_NAME → secret:// bindings.' })

export const manifestSchema = z
  .looseObject({
    version: z
      .literal(1)
      .optional()
      .meta({ description: 'Manifest format version; 1 when absent.' }),
    environment: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'dev, staging, prod… (isolation lints).' }),
    secrets: secretsSection.optional(),
    plugins: pluginsSection.optional(),
    ingestion: ingestionSection.optional(),
    duckdb: duckdbSection.optional(),
    dbt: dbtSection.optional(),
    kubernetes: z.looseObject({}).optional(),
    env: envSection.optional(),
    env_naming: envNamingSection.optional(),
    scopes: z.looseObject({}).optional(),
    access: z.array(z.unknown()).optional(),
  })
  .meta({
    title: 'floe manifest',
    description: 'floe.yaml: where secrets live and where they are used.',
  })

export type ManifestInput = z.input<typeof manifestSchema>

/** The manifest's JSON Schema (draft 2020-12), for editor completion. */
export function manifestJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(manifestSchema, { target: 'draft-2020-12', io: 'input' }),
    $id: 'https://floe.dev/schema/manifest.json',
  }
}
