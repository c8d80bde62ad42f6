/**
 * What `floe secrets delete` says: the confirmation question, asked once the checks passed,
 * and the closing lines (what was deleted where, and what became of the declaration).
 */
import type { Painter } from './output.js'

export class DeleteText {
  constructor(
    private readonly paint: Painter,
    private readonly secret: string,
    /** the provider's display name */
    private readonly where: string,
    private readonly manifestPath: string,
    private readonly manifestOnly: boolean,
  ) {}

  question(version: string | undefined, undeclare: boolean): string {
    return this.manifestOnly
      ? `Remove the declaration of ${this.secret} from ${this.manifestPath}?`
      : `Delete ${this.secret} from ${this.where}${version ? ` (version ${version})` : ''}${undeclare ? ' and its declaration' : ''}?`
  }

  /** `undeclaredFrom`: the manifest the declaration was removed from (--undeclare) */
  report(
    result: { deleted: boolean; version?: string | undefined },
    undeclaredFrom: string | undefined,
  ): string {
    const ok = this.paint.ok('✓')
    const { secret, where } = this
    const version = result.version
    return [
      this.manifestOnly
        ? undefined
        : result.deleted
          ? `${ok} Deleted ${secret} from ${where}${version ? ` (version ${version})` : ''}.`
          : `${ok} ${secret} was not in ${where}: nothing to delete.`,
      undeclaredFrom
        ? `${ok} Removed the declaration of ${secret} from ${undeclaredFrom}.`
        : this.manifestOnly
          ? undefined
          : `The declaration stays in ${this.manifestPath} (remove it with --undeclare).`,
    ]
      .filter(Boolean)
      .join('\n')
  }
}
