import { runProviderConformance } from '@floe/testkit'
import { provider } from '../src/index.js'

runProviderConformance({
  name: 'env',
  async setup() {
    // a private environment: the suite seeds into it, never into process.env
    const env: NodeJS.ProcessEnv = {}
    let counter = 0
    return {
      provider: provider.create({ env }),
      async seed(name, data) {
        if (typeof data === 'string') {
          env[name] = data
          return { variable: name }
        }
        const variables: Record<string, string> = {}
        for (const [key, value] of Object.entries(data)) {
          const variable = `${name}_${key}_${(counter += 1)}`
          env[variable] = value
          variables[key] = variable
        }
        return { variables }
      },
      missing: (name) => ({ variable: name }),
      async close() {},
    }
  },
})
