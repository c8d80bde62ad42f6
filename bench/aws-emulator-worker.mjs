// The AWS emulator in its own thread, like a remote service: its CPU does not share the event
// loop of the client being measured. Runs the built @floe/testkit (pnpm build).
import { parentPort } from 'node:worker_threads'
import { startAwsEmulator } from '@floe/testkit'

const emu = await startAwsEmulator()
parentPort.postMessage({ ready: true, clientConfig: emu.clientConfig() })
parentPort.on('message', async (msg) => {
  try {
    let result
    switch (msg.op) {
      case 'putSecrets':
        for (const [name, value] of msg.items) emu.putSecret(name, value)
        break
      case 'latency':
        emu.faults.clear()
        if (msg.ms) emu.faults.add({ operation: msg.operation, kind: 'latency', ms: msg.ms })
        break
      case 'calls':
        result = emu.calls.byOperation()
        emu.calls.reset()
        break
      case 'close':
        await emu.close()
        break
      default:
        throw new Error(`unknown op ${msg.op}`)
    }
    parentPort.postMessage({ id: msg.id, result })
  } catch (error) {
    parentPort.postMessage({ id: msg.id, error: String(error) })
  }
})
