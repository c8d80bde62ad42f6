/**
 * The contracts every floe package builds against. Types only: no runtime
 * code, no SDK. Providers, emitters and the CLI import from here through `@floe/core`;
 * each concept lives in its own file under types/.
 */
export type * from './types/logging.js'
export type * from './types/manifest.js'
export type * from './types/provider.js'
export type * from './types/requests.js'
export type * from './types/resolver.js'
export type * from './types/emitters.js'
export type * from './types/discovery.js'
