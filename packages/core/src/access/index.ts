export * from './model.js'
export * from './workloads.js'
export * from './scope-keys.js'
