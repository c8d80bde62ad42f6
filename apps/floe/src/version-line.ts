import { readFileSync } from 'node:fs'
import { arch, platform } from 'node:os'
import isWsl from 'is-wsl'

interface CliPackageJson {
  name: string
  version: string
  oclif?: { additionalVersionFlags?: string[] }
}

/**
 * `floe --version` without loading oclif (startup, issue 17): oclif prints its `userAgent` when
 * the first argument is `--version` or one of `oclif.additionalVersionFlags`. This is the same
 * line, built as oclif's Config.load builds it (`wsl` on WSL, `x86` for ia32), so bin/run.cjs can
 * answer before importing dist/cli.js. Returns undefined when argv asks for anything else.
 */
export function versionLine(
  argv: readonly string[],
  packageJsonPath: string | URL,
): string | undefined {
  const first = argv[0]
  if (first === undefined || !first.startsWith('-')) return undefined
  const pjson = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as CliPackageJson
  const flags = ['--version', ...(pjson.oclif?.additionalVersionFlags ?? [])]
  if (!flags.includes(first)) return undefined
  const cpu = arch() === 'ia32' ? 'x86' : arch()
  const os = isWsl ? 'wsl' : platform()
  return `${pjson.name}/${pjson.version} ${os}-${cpu} node-${process.version}`
}
