/**
 * The lib graph's rules (npm run lint): which way imports may point between apps/ and libs/.
 * Enrichment sits on top of the feature libs, and core under everything.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-lib-imports-an-app',
      comment: 'Libraries are what apps are built from; an app is never a dependency of one.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'features-do-not-import-enrichment',
      comment:
        'Enrichment uses these libs (credits, leads, selection, providers, webhooks, audit, privacy), not the other way round.',
      severity: 'error',
      from: { path: '^libs/(credits|leads|selection|providers|webhooks|audit|privacy)/' },
      to: { path: '^libs/enrichment/' },
    },
    {
      name: 'core-imports-no-feature-lib',
      comment: 'Core is the base every lib builds on; it imports none of them.',
      severity: 'error',
      from: { path: '^libs/core/' },
      to: { path: '^libs/(?!core/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
