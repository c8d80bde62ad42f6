import { extname, basename } from 'node:path'
import { InvalidSecretError } from '@floe/core'

import type { FileFormat } from './validate.js'
import { PROVIDER_NAME } from './validate.js'

/** json / yaml / dotenv by extension (`.env`, `prod.env`, `.env.local` are dotenv), else raw. */
export function inferFormat(path: string): Exclude<FileFormat, 'dir'> {
  const ext = extname(path).toLowerCase()
  if (ext === '.json') return 'json'
  if (ext === '.yaml' || ext === '.yml') return 'yaml'
  const base = basename(path).toLowerCase()
  if (ext === '.env' || base === '.env' || base.startsWith('.env.')) return 'dotenv'
  return 'raw'
}

/** Text of a raw value as read: one trailing newline (LF or CRLF) dropped when asked. */
export function trimOneNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2)
  if (text.endsWith('\n')) return text.slice(0, -1)
  return text
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === null || value === undefined) return ''
  if (typeof value === 'object') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value)
  }
  return ''
}

/**
 * Parses a structured file into its keys. Parser messages are NOT passed on: JSON.parse and
 * the YAML parser quote the offending source text, which would put secret bytes in an error.
 */
export async function parseStructured(
  format: 'json' | 'yaml' | 'dotenv',
  text: string,
  path: string,
  secret: string,
): Promise<Record<string, string> | undefined> {
  const invalid = (what: string) =>
    new InvalidSecretError(`${path} is not valid ${what}`, { provider: PROVIDER_NAME, secret })
  if (format === 'dotenv') {
    const dotenv = (await import('dotenv')).default
    return dotenv.parse(text)
  }
  let parsed: unknown
  if (format === 'json') {
    try {
      parsed = JSON.parse(text)
    } catch {
      throw invalid('JSON')
    }
  } else {
    const YAML = await import('yaml')
    const doc = YAML.parseDocument(text, { prettyErrors: false })
    if (doc.errors.length > 0) {
      const at = doc.errors[0]?.linePos?.[0]
      throw invalid(at ? `YAML (line ${at.line}, column ${at.col})` : 'YAML')
    }
    parsed = doc.toJS()
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, scalarText(v)]))
}

function dotenvLine(key: string, value: string, path: string, secret: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) {
    throw new InvalidSecretError(`key "${key}" cannot be a dotenv variable name (${path})`, {
      provider: PROVIDER_NAME,
      secret,
    })
  }
  // dotenv reads single quotes literally and expands \n only inside double quotes
  if (!value.includes("'") && !value.includes('\n') && !value.includes('\r'))
    return `${key}='${value}'`
  if (!value.includes('"') && !value.includes('\\') && !value.includes('\r')) {
    return `${key}="${value.replace(/\n/g, '\\n')}"`
  }
  if (!value.includes('`') && !value.includes('\n') && !value.includes('\r'))
    return `${key}=\`${value}\``
  throw new InvalidSecretError(
    `the value of key "${key}" cannot be written to a dotenv file unambiguously`,
    {
      provider: PROVIDER_NAME,
      secret,
      hint: 'use a JSON or YAML file, or a directory',
    },
  )
}

/** Serializes key/value data for a structured file. */
export async function serializeStructured(
  format: 'json' | 'yaml' | 'dotenv',
  data: Record<string, string>,
  path: string,
  secret: string,
): Promise<string> {
  if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`
  if (format === 'yaml') {
    const YAML = await import('yaml')
    return YAML.stringify(data)
  }
  return Object.entries(data)
    .map(([k, v]) => dotenvLine(k, v, path, secret))
    .join('\n')
    .concat('\n')
}
