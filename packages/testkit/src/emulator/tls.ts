import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const certDir = fileURLToPath(new URL('../../certs/', import.meta.url))

/** The committed test-only certificate (see certs/README.md). Pass `ca` to clients. */
export function testCertificate(): { cert: string; key: string; ca: string } {
  const cert = readFileSync(`${certDir}test-cert.pem`, 'utf8')
  return { cert, key: readFileSync(`${certDir}test-key.pem`, 'utf8'), ca: cert }
}
