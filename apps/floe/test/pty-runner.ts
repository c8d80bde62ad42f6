import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'

/**
 * Runs argv on the slave side of a fresh pseudo-terminal (stdin, stdout and stderr a terminal,
 * as in an interactive shell) and prints what came out of the master, base64, with the exit code.
 */
const PTY_RUNNER = `
import base64, json, os, select, subprocess, sys
master, slave = os.openpty()
child = subprocess.Popen(sys.argv[1:], stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
os.close(slave)
out = b''
while True:
    ready, _, _ = select.select([master], [], [], 60)
    if not ready:
        child.kill()
        break
    try:
        data = os.read(master, 65536)
    except OSError:
        break
    if not data:
        break
    out += data
print(json.dumps({'code': child.wait(), 'output': base64.b64encode(out).decode()}))
`

const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p))

/** python3 (its pty module) and util-linux script (what exec uses for the child's pty) exist. */
export const ptyTestable =
  process.platform === 'linux' && python !== undefined && existsSync('/usr/bin/script')

/** What a terminal showed while argv ran in it (CRs of the line discipline removed). */
export function runInPty(
  argv: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number; output: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(python!, ['-c', PTY_RUNNER, ...argv], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', () => {
      try {
        const { code, output } = JSON.parse(stdout) as { code: number; output: string }
        resolveRun({ code, output: Buffer.from(output, 'base64').toString().replace(/\r/g, '') })
      } catch {
        reject(new Error(`pty runner failed: ${stdout} ${stderr}`))
      }
    })
  })
}
