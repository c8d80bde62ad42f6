import { chmod, open, rename, rm } from 'node:fs/promises'
import { dirname, basename, join } from 'node:path'

// node:crypto is loaded at first use: a start that hashes nothing does not pay for it (issue 17)
const crypto = () => process.getBuiltinModule('node:crypto')

/**
 * Writes a file that may hold values: created 0600 from the first byte (never a window with
 * wider permissions), written to a temporary sibling and renamed so readers never see half.
 */
export async function writePrivateFile(path: string, content: string): Promise<void> {
  const temp = join(
    dirname(path),
    `.${basename(path)}.${crypto().randomBytes(6).toString('hex')}.tmp`,
  )
  const handle = await open(temp, 'wx', 0o600)
  try {
    await handle.writeFile(content)
    await handle.sync()
  } catch (error) {
    await handle.close()
    await rm(temp, { force: true })
    throw error
  }
  await handle.close()
  try {
    await chmod(temp, 0o600)
    await rename(temp, path)
  } catch (error) {
    // e.g. EISDIR, EACCES on the target: the temporary file holds values, never leave it behind
    await rm(temp, { force: true })
    throw error
  }
}
