/**
 * verifiedWrite, the one place where a provider write with a lost answer is settled. Driven
 * by a scripted service: each send either answers, fails with the service's own error, or
 * loses its answer (applied or not); the read-back reports what the scripted store holds.
 * The providers' own suites drive it through real SDKs against the emulators.
 */
import { describe, expect, it } from 'vitest'
import {
  ConflictError,
  FloeError,
  InvalidSecretError,
  ProviderUnavailableError,
  findWrittenVersion,
  verifiedWrite,
  type ReadBackState,
  type VerifiedWrite,
} from '@floe/core'

type Send = 'answer' | 'lost-applied' | 'lost' | 'invalid' | 'conflict'

class LostAnswer extends Error {}

/** A store at version 4 whose sends follow `script`; `readBack` sees what landed. */
function scripted(script: Send[], options: Partial<VerifiedWrite<number>> = {}) {
  let version = 4
  const sends: Send[] = []
  let readBacks = 0
  const spec: VerifiedWrite<number> = {
    provider: 'p',
    secret: 'db',
    operation: 'PutThing',
    before: '4',
    write: () => {
      const send = script[sends.length] ?? 'answer'
      sends.push(send)
      if (send === 'answer') return Promise.resolve((version += 1))
      if (send === 'lost-applied') version += 1
      if (send === 'invalid') return Promise.reject(new Error('bad request'))
      if (send === 'conflict') return Promise.reject(new Error('conflict'))
      return Promise.reject(new LostAnswer('socket hang up'))
    },
    classify: (error) =>
      error instanceof FloeError
        ? error
        : error instanceof LostAnswer
          ? new ProviderUnavailableError(`[p] PutThing: ${error.message}`)
          : (error as Error).message === 'conflict'
            ? new ConflictError('[p] version moved')
            : new InvalidSecretError('[p] bad request'),
    answerLost: (error) => error instanceof LostAnswer,
    readBack: (): Promise<ReadBackState> => {
      readBacks += 1
      return Promise.resolve(
        version > 4 ? { landed: true, version: String(version) } : { landed: false, version: '4' },
      )
    },
    versionOf: (answer) => String(answer),
    ...options,
  }
  return { spec, sends, readBacks: () => readBacks }
}

const retry = { attempts: 3, how: 'with the same token' }

describe('verifiedWrite', () => {
  it('an answer is the result: no read-back, no warning', async () => {
    const { spec, readBacks } = scripted(['answer'])
    await expect(verifiedWrite(spec)).resolves.toEqual({ answer: 5, warnings: [] })
    expect(readBacks()).toBe(0)
  })

  it("the service's own error is thrown as classified, without a read-back", async () => {
    const { spec, sends, readBacks } = scripted(['invalid'], { retry })
    await expect(verifiedWrite(spec)).rejects.toMatchObject({ code: 'INVALID' })
    expect([sends.length, readBacks()]).toEqual([1, 0])
  })

  it('lost after it was applied: read back, success as the version it landed as, not resent', async () => {
    const { spec, sends } = scripted(['lost-applied'], { retry })
    await expect(verifiedWrite(spec)).resolves.toEqual({
      version: '5',
      warnings: [
        'the answer to PutThing was lost (PutThing: socket hang up); read back: it landed as version 5',
      ],
    })
    expect(sends).toHaveLength(1)
  })

  it('lost before it was applied, not idempotent: not landed, never resent', async () => {
    const { spec, sends } = scripted(['lost'])
    const error = await verifiedWrite(spec).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'UNAVAILABLE',
      message:
        '[p] the answer to PutThing was lost (PutThing: socket hang up); read back: it did not land: secret "db" did not change (still version 4)',
      hint: 'nothing changed: run the command again once the provider answers',
      details: { writeState: 'not-landed', version: '4' },
    })
    expect(sends).toHaveLength(1)
  })

  it('lost before it was applied, idempotent: resent, and the warning says how it was settled', async () => {
    const { spec, sends } = scripted(['lost'], { retry })
    await expect(verifiedWrite(spec)).resolves.toEqual({
      answer: 5,
      warnings: [
        'the answer to PutThing was lost (PutThing: socket hang up); read back: it had not landed, and the retry with the same token wrote version 5',
      ],
    })
    expect(sends).toEqual(['lost', 'answer'])
  })

  it('lost on every send: not landed after `attempts` sends', async () => {
    const { spec, sends } = scripted(['lost', 'lost', 'lost', 'answer'], { retry })
    await expect(verifiedWrite(spec)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining(
        'it had not landed, and 2 retries failed too: secret "db" did not change (still version 4)',
      ),
      hint: 'retry later: a repeated write is safe',
      details: { writeState: 'not-landed' },
    })
    expect(sends).toHaveLength(3)
  })

  it('a retry refused as a conflict is read back: the first send may have landed late', async () => {
    const { spec } = scripted(['lost', 'conflict'], { retry })
    let reads = 0
    spec.readBack = () =>
      Promise.resolve(
        (reads += 1) === 1 ? { landed: false, version: '4' } : { landed: true, version: '5' },
      )
    await expect(verifiedWrite(spec)).resolves.toMatchObject({ version: '5' })
    // and a conflict that the read-back does not explain stays a conflict
    const other = scripted(['lost', 'conflict'], { retry })
    await expect(verifiedWrite(other.spec)).rejects.toMatchObject({ code: 'CONFLICT' })
  })

  it("another writer's value on top: not landed, never resent", async () => {
    const { spec, sends } = scripted(['lost'], {
      retry,
      readBack: () =>
        Promise.resolve({
          landed: false,
          version: '5',
          superseded: "version 5 holds another writer's value",
        }),
    })
    await expect(verifiedWrite(spec)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining(
        "read back: version 5 holds another writer's value, so this write did not land",
      ),
      details: { writeState: 'not-landed', version: '5' },
    })
    expect(sends).toHaveLength(1)
  })

  it('the read-back fails too: the state is unknown, with the command that checks', async () => {
    const { spec } = scripted(['lost-applied'], {
      readBack: () => Promise.reject(new Error('connection refused')),
    })
    await expect(verifiedWrite(spec)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('whether secret "db" changed is unknown'),
      hint: 'check with: floe secrets describe db (version 4 was current before the write)',
      details: { writeState: 'unknown', expectedVersion: '4' },
    })
  })
})

describe('findWrittenVersion', () => {
  const holds = (mine: string) => (version: string) => Promise.resolve(version === mine)

  it('the first added version holding the write is it; none added means still current', async () => {
    await expect(findWrittenVersion(['5', '6'], holds('6'), '4')).resolves.toEqual({
      landed: true,
      version: '6',
    })
    await expect(findWrittenVersion([], holds('6'), '4')).resolves.toEqual({
      landed: false,
      version: '4',
    })
  })

  it("only others' versions added: another writer's value, named with how it was told", async () => {
    await expect(
      findWrittenVersion(['5'], holds('9'), '4', 'its checksum differs'),
    ).resolves.toEqual({
      landed: false,
      version: '5',
      superseded: "version 5 holds another writer's value (its checksum differs)",
    })
  })
})
