import type { CallLog, FaultPlan } from '../emulator/index.js'
import { startAwsEmulator } from './emulator.js'
import type { AwsClientConfig } from './endpoint.js'
import { startMotoServer } from './moto.js'

/** floe's own emulator, or moto_server (software floe did not write). */
export type AwsBackendKind = 'floe' | 'moto'

/** Both AWS back ends, for `describe.each(AWS_BACKENDS)`. */
export const AWS_BACKENDS: readonly AwsBackendKind[] = ['floe', 'moto']

/**
 * What a test may rely on from either back end: an endpoint for the SDKs, the call log and
 * fault injection. State is arranged through the SDKs themselves, so a test reads the same
 * against both.
 */
export interface AwsBackend {
  readonly kind: AwsBackendKind
  readonly url: string
  readonly calls: CallLog
  readonly faults: FaultPlan
  clientConfig(): AwsClientConfig
  env(): Record<string, string>
  reset(): Promise<void>
  close(): Promise<void>
}

export async function startAwsBackend(kind: AwsBackendKind): Promise<AwsBackend> {
  if (kind === 'moto') {
    const moto = await startMotoServer()
    return { ...moto, kind, reset: () => moto.reset(), close: () => moto.close() }
  }
  const emu = await startAwsEmulator()
  return {
    kind,
    url: emu.url,
    calls: emu.calls,
    faults: emu.faults,
    clientConfig: () => emu.clientConfig(),
    env: () => emu.env(),
    reset: () => {
      emu.reset()
      return Promise.resolve()
    },
    close: () => emu.close(),
  }
}
