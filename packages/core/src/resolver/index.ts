export * from './policies.js'
export * from './resolver.js'
export * from './dual.js'
export * from './rotation-watch.js'
