export * from './emulator/index.js'
export * from './conformance/index.js'
export * from './kubernetes/index.js'
export * from './vault/index.js'
