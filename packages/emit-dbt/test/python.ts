import { spawnSync } from 'node:child_process'

/**
 * The python3 that has Jinja2 and PyYAML (scripts/ensure-python-deps.sh accepts the one on
 * PATH or Debian's /usr/bin/python3).
 */
export const python: string =
  ['python3', '/usr/bin/python3'].find(
    (candidate) =>
      spawnSync(candidate, ['-c', 'import jinja2, yaml'], { stdio: 'ignore' }).status === 0,
  ) ?? 'python3'
