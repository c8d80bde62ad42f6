import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/**
 * The absolute path of a python3 that has Jinja2 and PyYAML. Every python3 on PATH is tried
 * (package managers may put /usr/bin before a version manager's shims) and then Debian's,
 * which scripts/ensure-python-deps.sh provisions. Absolute, because the tests run it with a
 * minimal environment in which a shim could pick another Python.
 */
function interpreterWithJinja2(): string {
  const onPath = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'python3'))
  const candidates = [...new Set([...onPath, '/usr/bin/python3'])].filter((p) => existsSync(p))
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['-c', 'import jinja2, yaml, sys; print(sys.executable)'], {
      encoding: 'utf8',
    })
    const executable = probe.stdout?.trim()
    if (probe.status === 0 && executable) return executable
  }
  throw new Error(
    'no python3 with Jinja2 and PyYAML found (run scripts/ensure-python-deps.sh, or apt-get install python3-jinja2 python3-yaml)',
  )
}

export const python: string = interpreterWithJinja2()
