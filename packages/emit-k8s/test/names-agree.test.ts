import { describe, expect, it } from 'vitest'
import { kubernetesNameOf as providerName } from '@floe/provider-kubernetes'
import { kubernetesNameOf as emitName } from '../src/index.js'

// emit writes a Secret under a name; list/status/rotate (provider-kubernetes) must find it again.
describe('emit-k8s and provider-kubernetes name a secret the same way', () => {
  const names = [
    'kafka',
    'Kafka_Credentials',
    'snowflake-credentials',
    'a.b.c',
    '-leading-and-trailing-',
    `${'a'.repeat(300)}`,
    '日本',
  ]
  it.each(names)('%s', (name) => {
    for (const definition of [
      { name, provider: 'vault', fields: {} },
      { name, provider: 'kubernetes', fields: { secret_name: 'given' } },
    ]) {
      const emitted = emitName(definition, {})
      expect(providerName(definition, { names: {} })).toBe(emitted)
      expect(emitted.length).toBeLessThanOrEqual(253)
      expect(providerName(definition, { names: { [name]: 'override' } })).toBe('override')
      expect(emitName(definition, { [name]: 'override' })).toBe('override')
    }
  })
})
