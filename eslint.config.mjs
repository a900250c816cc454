// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'var/', 'coverage/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', process: 'readonly' } },
  },
  // Layers, lowest first: a module imports only from its own layer and the ones before it, so
  // data flows watchers → streams → readModel → control → discord, with state beside them, config and model below.
  ...layerRules([['logging', 'paths', 'rx'], ['config'], ['model'], ['state'], ['watchers'], ['streams'], ['readModel'], ['control'], ['discord'], ['agent'], ['cli']]),

);

/** One no-restricted-imports block per layer, forbidding every layer above it. */
function layerRules(layers) {
  return layers.map((names, index) => {
    const above = layers.slice(index + 1).flat();
    return {
      files: names.map((name) => `src/${name}/**/*.ts`).concat(names.map((name) => `src/${name}.ts`)),
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: above.length
              ? [{ group: above.flatMap((name) => [`**/${name}/**`, `**/${name}`]), message: `Layers, lowest first: ${layers.map((l) => l.join('/')).join(' < ')}. src/${names.join('/')} may not import a higher layer.` }]
              : [],
          },
        ],
      },
    };
  });
}
