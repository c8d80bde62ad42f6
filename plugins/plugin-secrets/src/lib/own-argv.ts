/**
 * Where floe's command line ends and a child's begins: the first `--`. oclif's parsed argv of a
 * non-strict command is not the child's command line (it orders words by their first place:
 * `exec -- echo x echo` would run `echo echo x`), and a child's `--json` is not floe's.
 */

/** The words floe reads as its own: those before the first `--`. */
export function ownArgv(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--')
  return end < 0 ? argv : argv.slice(0, end)
}

/** The child's command line as typed: every word after the first `--`, in order. */
export function childArgv(argv: readonly string[]): string[] | undefined {
  const start = argv.indexOf('--')
  return start < 0 ? undefined : argv.slice(start + 1)
}
