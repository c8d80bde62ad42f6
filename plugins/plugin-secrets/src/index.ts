export { FloeCommand, toFloeError, type Outcome } from './lib/base-command.js'
export { FloeSession } from './lib/session.js'
export { renderTable, age, useColor } from './lib/output.js'
