export * from './principals.js'
export * from './model.js'
export * from './workloads.js'
export * from './scope-keys.js'
