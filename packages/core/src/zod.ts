/**
 * zod, as every first-party floe package imports it at run time (`@floe/core/zod`): the build
 * bundles it into one file (scripts/bundle-package.mjs), so a command loads one copy of zod,
 * from one file, however many providers it uses. Sources and tests import `zod` directly.
 */
export * from 'zod'
