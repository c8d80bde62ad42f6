import CRC32C from 'crc-32/crc32c.js'

/** CRC32C (Castagnoli), the checksum Secret Manager puts in `SecretPayload.data_crc32c`, unsigned. */
export const crc32c = (data: Uint8Array): number => CRC32C.buf(data) >>> 0
