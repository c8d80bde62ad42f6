export const AWSCURRENT = 'AWSCURRENT'
export const AWSPENDING = 'AWSPENDING'

/** The version a staging label is attached to (each label is on at most one version). */
export function holderOf(
  stages: Record<string, string[]> | undefined,
  stage: string,
): string | undefined {
  for (const [id, labels] of Object.entries(stages ?? {})) if (labels.includes(stage)) return id
  return undefined
}

export function currentVersionOf(stages: Record<string, string[]> | undefined): string | undefined {
  return holderOf(stages, AWSCURRENT)
}
