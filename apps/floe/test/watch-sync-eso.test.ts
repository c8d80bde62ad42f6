import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { startEsoSandbox, type EsoSandbox } from './eso-sandbox.js'
import { expectNoValues, startFloe, type WatchRun } from './watch-helpers.js'

/**
 * `floe secrets watch --sync` against the External Secrets controller of floe-sandbox: the
 * ExternalSecret refreshes only every hour, so the new value reaches the Kubernetes Secret
 * within the test only through the watcher's force-sync after it saw the new AWS version.
 */
const manifestText = `
plugins:
  secrets:
    type: external-secrets
    config: { store: aws-secrets-manager, region: us-east-1 }
secrets:
  _config:
    rotation: { refresh_interval: 1s }
  warehouse:
    provider: aws_secrets_manager
    secret_id: floe/prod/warehouse
    region: us-east-1
    keys: [user, password]
kubernetes:
  namespace: floe-jobs
`
const first = { user: 'etl', password: 'first-pass-canary-q1w2' }
const second = { user: 'etl', password: 'second-pass-canary-e3r4' }

let sandbox: EsoSandbox
const runs: WatchRun[] = []

beforeAll(async () => {
  sandbox = await startEsoSandbox({
    manifest: manifestText,
    manifestFile: 'floe.yaml',
    awsSecrets: { 'floe/prod/warehouse': first },
  })
})

afterEach(async () => {
  for (const run of runs.splice(0)) await run.stop()
})

afterAll(async () => {
  await sandbox?.close()
})

it('a new AWS version reaches the synced Kubernetes Secret through the watcher, not the hourly refresh', async () => {
  const { aws, kube, project, env } = sandbox
  const es = kube.get('external-secrets.io/v1', 'ExternalSecret', 'floe-jobs', 'warehouse')
  // the emitted refresh is long: without the watcher's sync nothing changes during this test
  expect(es?.spec?.refreshInterval).toMatch(/h$/)
  expect(kube.secretData('floe-jobs', 'warehouse')).toMatchObject({
    WAREHOUSE_PASSWORD: first.password,
  })

  const run = startFloe(['secrets', 'watch', '--sync', '--json'], { cwd: project.dir, env })
  runs.push(run)
  await run.waitFor((l) => l.event === 'watching', 'the watching event')
  aws.putSecret('floe/prod/warehouse', second)
  const synced = await run.waitFor(
    (l) => l.event === 'synced' && l.secret === 'warehouse',
    'the synced event',
  )
  expect(synced).toMatchObject({ ok: true, steps: [expect.stringMatching(/sync triggered/)] })
  expect(kube.secretData('floe-jobs', 'warehouse')).toMatchObject({
    WAREHOUSE_PASSWORD: second.password,
  })
  expect(await run.stop()).toBe(0)
  expectNoValues(run, { a: first.password, b: second.password })
}, 120_000)
