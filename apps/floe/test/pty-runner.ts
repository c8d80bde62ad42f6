import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'

/**
 * Runs argv in a fresh pseudo-terminal that is its controlling terminal (pty.fork: stdin, stdout
 * and stderr a terminal, as in an interactive shell); once the output contains PTY_SEND_AFTER it
 * types PTY_SEND (e.g. Ctrl-C). Prints what came out of the master, base64, with the exit code.
 */
const PTY_RUNNER = `
import base64, json, os, pty, select, sys, time
pid, master = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
after, send = os.environ.get('PTY_SEND_AFTER'), os.environ.get('PTY_SEND', '')
out, deadline = b'', time.time() + 60
while time.time() < deadline:
    ready, _, _ = select.select([master], [], [], 1)
    if ready:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
    if after and after.encode() in out:
        os.write(master, send.encode())
        after = None
_, status = os.waitpid(pid, 0)
print(json.dumps({'code': os.waitstatus_to_exitcode(status), 'output': base64.b64encode(out).decode()}))
`

const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p))

/** python3 (its pty module) and util-linux script (what exec uses for the child's pty) exist. */
export const ptyTestable =
  process.platform === 'linux' && python !== undefined && existsSync('/usr/bin/script')

/**
 * What a terminal showed while argv ran in it (CRs of the line discipline removed); `type`
 * is typed once the output contains `after`.
 */
export function runInPty(
  argv: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; type?: { after: string; text: string } },
): Promise<{ code: number; output: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(python!, ['-c', PTY_RUNNER, ...argv], {
      cwd: options.cwd,
      env: options.type
        ? { ...options.env, PTY_SEND_AFTER: options.type.after, PTY_SEND: options.type.text }
        : options.env,
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
