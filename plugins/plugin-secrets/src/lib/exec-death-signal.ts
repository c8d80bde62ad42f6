import { accessSync, constants } from 'node:fs'
import { delimiter, isAbsolute, join } from 'node:path'

// Node has no prctl(PR_SET_PDEATHSIG); util-linux's setpriv sets it and then execs the command,
// so a SIGKILLed floe still takes its child with it. Elsewhere (macOS, no setpriv) we spawn as is.
const SETPRIV = '/usr/bin/setpriv'

export const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

let setprivPresent: boolean | undefined

/** Where `file` resolves on PATH, or undefined (then the plain spawn reports ENOENT as before). */
export const resolveCommand = (file: string, env: NodeJS.ProcessEnv): string | undefined => {
  if (file.includes('/')) return executable(file) ? file : undefined
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue
    const candidate = join(dir, file)
    if (executable(candidate)) return candidate
  }
  return undefined
}

/** The command to spawn so the child gets SIGKILL when floe dies (Linux with setpriv). */
export const withDeathSignal = (
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { file: string; args: string[] } => {
  if (process.platform !== 'linux') return { file, args }
  setprivPresent ??= executable(SETPRIV)
  if (!setprivPresent) return { file, args }
  const resolved = resolveCommand(file, env)
  if (!resolved) return { file, args }
  return { file: SETPRIV, args: ['--pdeathsig', 'KILL', '--', resolved, ...args] }
}
