import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadSandboxSeed, startSandbox, type Sandbox } from '@floe/testkit'
import { assertBuilt, makeProject, repoRoot, runFloe, type FixtureProject } from './helpers.js'

/**
 * Seed 004 (the platform ADR), section "CLI Commands", replayed command by command as written
 * against floe-sandbox seeded from examples/platform (AWS Secrets Manager + a Kubernetes API
 * with the External Secrets test controller). Commands and expected output are parsed from
 * the seed's own text (fixtures/seed-004-cli-session.txt, a verbatim excerpt); each stdout
 * line must equal the ADR's line, ages and timestamps aside. The seed was flattened to one
 * space between words, so runs of spaces (table padding) compare as one.
 */

interface SessionStep {
  comment: string
  command: string[]
  expected: string[]
}

const fixture = join(import.meta.dirname, 'fixtures', 'seed-004-cli-session.txt')
const sessionText = readFileSync(fixture, 'utf8').trimEnd()

/**
 * One step per line: `# comment` + the command, `# Output:`, then `# line` per output line
 * (`##` is an empty line).
 */
function parseSession(text: string): SessionStep[] {
  return text.split('\n').map((line) => {
    const [, head, marker, ...output] = line.split('#').map((t) => t.replace(/^ /, ''))
    if (head === undefined || marker !== 'Output:')
      throw new Error(`not a "# comment floe … # Output: # …" line: ${line}`)
    const at = head.indexOf('floe ')
    if (at < 0) throw new Error(`no floe command in: ${head}`)
    return {
      comment: head.slice(0, at).trim(),
      command: head.slice(at).trim().split(/\s+/).slice(1),
      expected: output,
    }
  })
}

/** Ages ("7d", "2m ago", "15s") are the only part of a line allowed to differ. */
const comparable = (line: string): string =>
  line
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\b\d+[smhd]( ago)?(?= |$)/g, '<age>')

const example = join(repoRoot, 'examples/platform')
let sandbox: Sandbox
let project: FixtureProject

beforeAll(async () => {
  assertBuilt()
  sandbox = await startSandbox({
    ports: { aws: 0, kubernetes: 0 },
    seed: await loadSandboxSeed(join(example, 'sandbox.yaml')),
  })
  project = makeProject({
    '@floe/cli': 'apps/floe',
    '@floe/provider-aws-secrets-manager': 'packages/provider-aws-secrets-manager',
    '@floe/provider-kubernetes': 'packages/provider-kubernetes',
  })
  project.write('manifest.yaml', readFileSync(join(example, 'manifest.yaml'), 'utf8'))
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
})

const floe = (args: string[]) =>
  runFloe(args, { cwd: project.dir, env: sandbox.env, timeoutMs: 120_000 })

describe('seed 004 "CLI Commands", as written, against floe-sandbox (examples/platform)', () => {
  const steps = parseSession(sessionText)

  it('the excerpt is the seed verbatim (when the seeds are next to the repo)', () => {
    const seeds = join(repoRoot, '..', 'shared', 'seeds')
    const file = existsSync(seeds) && readdirSync(seeds).find((f) => f.startsWith('004_'))
    if (!file) return // a checkout without the seeds: the committed excerpt is the reference
    expect(readFileSync(join(seeds, file), 'utf8')).toContain(sessionText)
  })

  it('parses four commands with their output', () => {
    expect(steps.map((s) => s.command.join(' '))).toEqual([
      'secrets list --namespace=floe-jobs',
      'secrets status',
      'secrets rotate snowflake-credentials --restart-deployments',
      'secrets validate',
    ])
    expect(steps.every((s) => s.expected.length >= 3)).toBe(true)
  })

  // The session runs in order: rotate changes the source before validate looks at it.
  // Exit codes: status exits 1 because a declared secret (salesforce-credentials) is
  // missing at the source — it says so on stderr, its table is the ADR's; validate exits 1
  // with the ADR's one error.
  const exitCodes = [0, 1, 0, 1]
  for (const [i, step] of steps.entries()) {
    it(`${step.comment}: floe ${step.command.join(' ')}`, async () => {
      const result = await floe(step.command)
      const actual = result.stdout.replace(/\n$/, '').split('\n')
      expect(actual.map(comparable), result.stderr).toEqual(step.expected.map(comparable))
      expect(result.code, result.stderr).toBe(exitCodes[i])
      if (step.command[1] === 'status')
        expect(result.stderr).toBe(
          'warning: salesforce-credentials: no ExternalSecret in the cluster (emit it with: floe secrets emit k8s); at aws_secrets_manager: NOT FOUND\n',
        )
      else if (step.command[1] === 'rotate')
        // piped: the staged restart's progress (which Deployment, why, how long) is on stderr only
        expect(result.stderr).toMatch(
          /^… restarting deploy\/dagster-daemon \(1\/1\)\n… deploy\/dagster-daemon rolled out in [\d.]+s \(envFrom in daemon \(SNOWFLAKE_PASSWORD\)\)\n$/,
        )
      else expect(result.stderr).toBe('')
    }, 120_000)
  }

  it("validate's fix hint works as printed, then validate passes", async () => {
    const hint = /Run '([^']+)' to fix\./.exec(steps[3]!.expected.at(-1)!)?.[1]
    expect(hint).toBe('floe secrets create salesforce-credentials')
    const created = await floe(hint!.split(' ').slice(1))
    expect(created.code, created.stderr).toBe(0)
    expect(created.stdout.trim()).toMatch(
      /^✓ Created salesforce-credentials in AWS Secrets Manager \(2 keys\), version \S+\.$/,
    )
    const again = await floe(['secrets', 'validate'])
    expect(again.code, again.stdout).toBe(0)
    expect(again.stdout).toContain('✓ salesforce-credentials: exists, 2 keys')
    expect(again.stdout.trim().split('\n').at(-1)).toBe('No errors found.')
  }, 120_000)
})
