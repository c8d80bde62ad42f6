export * from './types.js'
export {
  loadSandboxSeed,
  sandboxServices,
  startSandbox,
  type Sandbox,
  type SandboxOptions,
} from './launcher.js'
export { main as sandboxMain, type CliIo } from './cli.js'
