export * from './faults.js'
export * from './http-emulator.js'
export * from './tls.js'
