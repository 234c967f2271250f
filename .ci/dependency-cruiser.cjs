// dependency-cruiser's configuration for `pnpm lint`: no circular imports inside packages/*/src.
// (Which package may import which is .ci/check-dependencies.mjs, with messages naming the rule.)
// Imports are written with ESM `.js` suffixes that TypeScript maps to the `.ts` source, so the
// resolver is told the same; @weir/* imports resolve to another package's dist and are not followed
// (a cycle between packages is already impossible under the dependency rule).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'A module reaches itself through its imports: load order then decides which side sees undefined, and neither file can be understood or tested alone. Move what both need into a third module.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
  },
}
