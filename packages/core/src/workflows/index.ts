export * from './write-secret.js'
export * from './validate-manifest.js'
export * from './rotate-secret.js'
export * from './secret-status.js'
