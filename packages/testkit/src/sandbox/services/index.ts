// The sandbox's emulators: one line per service (see ../README.md).
export { aws } from './aws.js'
export { vault } from './vault.js'
export { gcp } from './gcp.js'
export { azure } from './azure.js'
export { kubernetes } from './kubernetes.js'
