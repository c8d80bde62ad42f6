export * from './known-packages.js'
export * from './discover.js'
export * from './provider-registry.js'
