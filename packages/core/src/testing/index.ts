export * from './memory-provider.js'
export * from './test-manifest.js'
export * from './sample-values.js'
