/**
 * Writes a synthetic GGUF model (never committed; tests and tests/gpu/check.sh write their own):
 *   npx tsx tests/support/gguf/cli.ts OUT.gguf [--shape tiny|llama3-8b] [--layers N]
 */
import { parseArgs } from 'node:util';
import { LLAMA3_8B, TINY, writeSyntheticModel } from './model.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { shape: { type: 'string' }, layers: { type: 'string' } } });
const out = positionals[0];
const base = values.shape === 'llama3-8b' ? LLAMA3_8B : values.shape === undefined || values.shape === 'tiny' ? TINY : undefined;
if (!out || !base) {
  process.stderr.write('Usage: tsx tests/support/gguf/cli.ts OUT.gguf [--shape tiny|llama3-8b] [--layers N]\n');
  process.exit(2);
}
const layers = values.layers === undefined ? base.layers : Number(values.layers);
if (!Number.isInteger(layers) || layers < 1) {
  process.stderr.write('--layers must be a whole number >= 1\n');
  process.exit(2);
}
const t0 = performance.now();
const model = writeSyntheticModel(out, { ...base, layers });
process.stderr.write(`wrote ${out}: ${(model.bytes / 2 ** 20).toFixed(1)} MiB, ${layers} layers, vocab ${model.vocabSize}, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
