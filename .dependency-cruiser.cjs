/**
 * The layers of RadReportX Web, checked by `npm run check` (dependency-cruiser):
 *
 *   ui (src/ui, components) → state (src/state) → worker protocol (src/worker/api.ts, *-protocol.ts; types only)
 *   workers (src/worker) → platform (src/platform: storage, webllm, network probe) → core (src/lib)
 *   training (the CLI) → core
 *   core imports nothing outside itself (and no Node built-ins: the page runs it too)
 *
 * Everything may import the core. Tests (`*.test.ts`, tests/) may import anything, but take part in the cycle
 * check. There is no baseline of known violations: any import that breaks a rule fails the check. Page code that
 * must run in the window (the folder picker, which needs the click's user gesture; the GPU probe; deleting every
 * database of the site) lives in src/state, not in src/platform, so no rule needs an exception.
 */
const TESTS = '(^tests/|\\.test\\.ts$)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one; split out what both need (types into their own module).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-self-contained',
      severity: 'error',
      comment: 'src/lib is the DOM-free core shared by the page and the CLI: it imports nothing outside itself.',
      from: { path: '^src/lib/', pathNot: TESTS },
      to: { path: '^(src/(?!lib/)|training/|tests/)' },
    },
    {
      name: 'core-no-node-builtins',
      severity: 'error',
      comment: 'The page runs the core, so it cannot use Node built-ins (the CLI passes it what it read).',
      from: { path: '^src/lib/', pathNot: TESTS },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'training-uses-core-only',
      severity: 'error',
      comment: 'The CLI shares the core with the page, never the page, its workers or its browser platform code.',
      from: { path: '^training/', pathNot: TESTS },
      to: { path: '^src/(?!lib/)' },
    },
    {
      name: 'platform-below-workers',
      severity: 'error',
      comment: 'Platform code (storage, WebLLM, network probe) serves the workers; it imports only the core and itself.',
      from: { path: '^src/platform/', pathNot: TESTS },
      to: { path: '^(src/(worker|state|ui)/|training/)' },
    },
    {
      name: 'workers-below-ui',
      severity: 'error',
      comment: 'Workers do not import page state or components.',
      from: { path: '^src/worker/', pathNot: TESTS },
      to: { path: '^(src/(state|ui)/|training/)' },
    },
    {
      name: 'state-below-ui',
      severity: 'error',
      comment: 'State classes do not import components: components read state.',
      from: { path: '^src/state/', pathNot: TESTS },
      to: { path: '^src/ui/' },
    },
    {
      name: 'page-talks-to-workers-by-protocol',
      severity: 'error',
      comment:
        'The page reaches workers only through their protocol modules, with type-only imports (workers are ' +
        'started with new Worker(new URL(...)), which is not an import).',
      from: { path: '^src/(ui|state)/', pathNot: TESTS },
      to: { path: '^src/worker/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'page-imports-worker-protocol-only',
      severity: 'error',
      comment: 'Of the worker folder the page may name only the protocol modules.',
      from: { path: '^src/(ui|state)/', pathNot: TESTS },
      to: { path: '^src/worker/', pathNot: '^src/worker/(api|[a-z-]+-protocol)\\.ts$' },
    },
    {
      name: 'worker-protocol-types-only',
      severity: 'error',
      comment:
        'A worker protocol module is types only, so the page that imports it loads none of the worker code: ' +
        'it names types with `import type` / `export type` and nothing else.',
      from: { path: '^src/worker/(api|[a-z-]+-protocol)\\.ts$' },
      to: { dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'page-not-on-platform',
      severity: 'error',
      comment: 'Storage and WebLLM run in the workers; the page asks a worker.',
      from: { path: '^src/(ui|state)/', pathNot: TESTS },
      to: { path: '^src/platform/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|public)/' },
    // See type-only imports too, so the "types only" rule and cycles through types are checked.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.svelte', '.json'],
    },
  },
};
