import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/** The nearest directory with a package.json: where a team lists its floe packages. */
export function findProjectRoot(start: string): string {
  let dir = resolve(start)
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir
    const parent = dirname(dir)
    if (parent === dir) return resolve(start)
    dir = parent
  }
}
