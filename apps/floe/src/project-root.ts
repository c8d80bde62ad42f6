import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/** The nearest directory with a package.json (where a team lists its floe packages), if any. */
export function findProjectRoot(start: string): string | undefined {
  let dir = resolve(start)
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}
