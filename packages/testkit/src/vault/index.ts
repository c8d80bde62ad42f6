export * from './policy.js'
export * from './emulator.js'
export type {
  AppRole,
  AwsRole,
  DatabaseRole,
  KubernetesRole,
  LeaseRecord,
  LoginRoleTokenSettings,
  VaultMountConfig,
  VaultToken,
} from './state.js'
