export {
  DBT_SECRET_PREFIX,
  DEFAULT_ENV_NAMING,
  ENV_NAMING_SCHEMES,
  dbtEnvNameOf,
  envNameOf,
  isEnvName,
  upperSnake,
  withPrefix,
  type EnvNaming,
  type EnvNamingScheme,
  type SecretEnvNaming,
} from './env-names.js'
export { parseEnvNaming } from './env-naming-section.js'
