export * from './crc32c.js'
export * from './secret-manager-emulator.js'
