import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import {
  findMotoServer,
  MotoUnavailableError,
  preferNodeBuildsOfAwsSdk,
  startMotoServer,
} from '../src/aws/index.js'

preferNodeBuildsOfAwsSdk()
const { CreateSecretCommand, ListSecretsCommand, SecretsManagerClient } = createRequire(
  import.meta.url,
)('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager')

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('startMotoServer', () => {
  it('runs moto_server behind a recording proxy, resets it, and leaves no process behind', async () => {
    const moto = await startMotoServer()
    const client = new SecretsManagerClient(moto.clientConfig())
    try {
      expect(moto.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(moto.directUrl).not.toBe(moto.url)
      await client.send(new CreateSecretCommand({ Name: 'a', SecretString: 'v' }))
      const listed = await client.send(new ListSecretsCommand({}))
      expect(listed.SecretList?.map((s) => s.Name)).toEqual(['a'])
      expect(moto.calls.byOperation()).toEqual({ CreateSecret: 1, ListSecrets: 1 })
      moto.faults.add({ operation: 'ListSecrets', kind: 'error', status: 503, times: 1 })
      await expect(client.send(new ListSecretsCommand({}))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 503 },
      })
      await moto.reset()
      expect(moto.calls.count()).toBe(0)
      const after = await client.send(new ListSecretsCommand({}))
      expect(after.SecretList ?? []).toEqual([])
    } finally {
      client.destroy()
      await moto.close()
    }
    expect(alive(moto.pid)).toBe(false)
  })

  it('fails with install instructions when moto_server is missing (never a silent skip)', async () => {
    expect(() => findMotoServer('/nonexistent/moto_server')).toThrow(MotoUnavailableError)
    const saved = process.env.PATH
    process.env.PATH = '/nonexistent'
    try {
      expect(() => findMotoServer(undefined)).toThrow(MotoUnavailableError)
      expect(() => findMotoServer(undefined)).toThrow(/moto\[server\].*ensure-python-deps/s)
    } finally {
      process.env.PATH = saved
    }
    await expect(startMotoServer({ command: '/nonexistent/moto_server' })).rejects.toThrow(
      /\/nonexistent\/moto_server was not found/,
    )
  })
})
