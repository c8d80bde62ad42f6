/**
 * Vault ACL policy evaluation, reusable outside the emulator (e.g. to check that a generated
 * HCL policy grants exactly what a manifest needs). Semantics follow Vault's documented rules
 * closely enough for least-privilege checks:
 * - a rule path is exact, ends with `*` (prefix glob) or contains `+` (one path segment);
 * - rules with the same path string are merged across policies (capability union);
 * - the most specific matching rule wins (exact > longest literal prefix > fewer `+`);
 * - `deny` in the winning rule denies everything.
 */

export type VaultCapability =
  'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'sudo' | 'deny'

export interface VaultPolicyRule {
  path: string
  capabilities: VaultCapability[]
}

const KNOWN_CAPABILITIES = new Set<string>([
  'create',
  'read',
  'update',
  'patch',
  'delete',
  'list',
  'sudo',
  'deny',
])

/**
 * Parses the subset of HCL that Vault policies use:
 * `path "a/b/*" { capabilities = ["read", "list"] }`, with `#` and `//` comments.
 * Throws on anything else so a malformed generated policy cannot pass silently.
 */
export function parseVaultPolicyHcl(text: string): VaultPolicyRule[] {
  const source = text.replace(/(^|[^"\w])(#|\/\/)[^\n]*/g, '$1')
  const rules: VaultPolicyRule[] = []
  const block = /path\s+"([^"]*)"\s*\{([^}]*)\}/g
  for (let m = block.exec(source); m; m = block.exec(source)) {
    const body = m[2] ?? ''
    const caps = /capabilities\s*=\s*\[([^\]]*)\]/.exec(body)
    if (!caps) throw new Error(`policy rule for "${m[1]}" has no capabilities list`)
    const rest = body.replace(caps[0], '').trim()
    if (rest) throw new Error(`policy rule for "${m[1]}" has unsupported content: ${rest}`)
    const capabilities = [...(caps[1] ?? '').matchAll(/"([^"]*)"/g)].map((c) => c[1] ?? '')
    for (const c of capabilities) {
      if (!KNOWN_CAPABILITIES.has(c)) throw new Error(`unknown capability "${c}" for "${m[1]}"`)
    }
    rules.push({ path: m[1] ?? '', capabilities: capabilities as VaultCapability[] })
  }
  const leftover = source.replace(block, '').trim()
  if (leftover) throw new Error(`policy has unparsed content: ${leftover.slice(0, 60)}`)
  return rules
}

function ruleMatches(rulePath: string, path: string): boolean {
  const glob = rulePath.endsWith('*')
  const pattern = glob ? rulePath.slice(0, -1) : rulePath
  const ruleSegments = pattern.split('/')
  const pathSegments = path.split('/')
  if (!glob && ruleSegments.length !== pathSegments.length) return false
  if (glob && pathSegments.length < ruleSegments.length) return false
  for (let i = 0; i < ruleSegments.length; i++) {
    const r = ruleSegments[i] ?? ''
    const p = pathSegments[i] ?? ''
    const last = i === ruleSegments.length - 1
    if (r === '+') continue
    if (last && glob) return p.startsWith(r) || r === ''
    if (r !== p) return false
  }
  return true
}

/** Higher is more specific. */
function specificity(rulePath: string): [number, number, number] {
  const glob = rulePath.endsWith('*') ? 1 : 0
  const firstWildcard = rulePath.search(/[+*]/)
  const literalPrefix = firstWildcard === -1 ? rulePath.length : firstWildcard
  const plusCount = rulePath.split('/').filter((s) => s === '+').length
  return [glob ? 0 : 1, literalPrefix, -plusCount]
}

function compare(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d) return d
  }
  return 0
}

/** Capabilities granted on `path` (no leading slash, no `v1/`) by the union of `rules`. */
export function capabilitiesFor(
  rules: readonly VaultPolicyRule[],
  path: string,
): Set<VaultCapability> {
  const merged = new Map<string, Set<VaultCapability>>()
  for (const rule of rules) {
    const set = merged.get(rule.path) ?? new Set<VaultCapability>()
    for (const c of rule.capabilities) set.add(c)
    merged.set(rule.path, set)
  }
  let best: { path: string; caps: Set<VaultCapability> } | undefined
  for (const [rulePath, caps] of merged) {
    if (!ruleMatches(rulePath, path)) continue
    if (!best || compare(specificity(rulePath), specificity(best.path)) > 0) {
      best = { path: rulePath, caps }
    }
  }
  if (!best || best.caps.has('deny')) return new Set()
  return best.caps
}

/** Whether `rules` allow `capability` on `path`. */
export function evaluateVaultPolicy(
  rules: readonly VaultPolicyRule[],
  path: string,
  capability: VaultCapability,
): boolean {
  return capabilitiesFor(rules, path).has(capability)
}

/**
 * The capability Vault checks for an HTTP request: GET → read (list with `?list=true`),
 * LIST → list, POST/PUT → create when the target does not exist yet else update,
 * PATCH → patch, DELETE → delete.
 */
export function requiredCapability(
  method: string,
  options: { list?: boolean; exists?: boolean } = {},
): VaultCapability {
  switch (method.toUpperCase()) {
    case 'GET':
      return options.list ? 'list' : 'read'
    case 'LIST':
      return 'list'
    case 'POST':
    case 'PUT':
      return options.exists === false ? 'create' : 'update'
    case 'PATCH':
      return 'patch'
    case 'DELETE':
      return 'delete'
    default:
      return 'read'
  }
}

/** Rules as HCL, for policies given as rule lists (sys/policy reads policies back as text). */
export function renderVaultPolicyHcl(rules: readonly VaultPolicyRule[]): string {
  return rules
    .map(
      (r) =>
        `path "${r.path}" {\n  capabilities = [${r.capabilities.map((c) => `"${c}"`).join(', ')}]\n}`,
    )
    .join('\n\n')
}
