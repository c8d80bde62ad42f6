export * from './memory-provider.js'
export * from './test-manifest.js'
