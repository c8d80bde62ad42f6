export { run } from '@oclif/core'
export { findProjectRoot } from './project-root.js'
