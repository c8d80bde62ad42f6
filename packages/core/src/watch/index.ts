export * from './schedule.js'
export * from './watch-secrets.js'
