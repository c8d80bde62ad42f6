export * from './first-party.js'
export * from './package-metadata.js'
export * from './discover.js'
export * from './provider-registry.js'
