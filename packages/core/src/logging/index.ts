export * from './redactor.js'
export * from './logger.js'
export * from './masking-transform.js'
export * from './chunk-masker.js'
