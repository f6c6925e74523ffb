/**
 * The pure part of the Meta → HF conversion (training/python/hf_convert.py), tested with the real python3 (not the
 * stand-in in tests/stand-ins/, which imitates the whole script for the build tests): key renaming, the q/k head
 * permutation against torchtune's view/transpose arithmetic, the Llama-3 8B layout and the config without
 * rope_scaling. torch cannot be installed here, so the tensor side (convert_meta_to_hf.py) is only checked to parse
 * its arguments and to need nothing but torch and safetensors beyond this module.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const STAND_INS = resolve(import.meta.dirname, 'stand-ins');
const PY_DIR = resolve(import.meta.dirname, '..', 'training', 'python');

/** The first python3 on PATH that is not the stand-in. */
function realPython(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || resolve(dir) === STAND_INS) continue;
    const exe = join(dir, 'python3');
    if (existsSync(exe)) return exe;
  }
  return undefined;
}

const python = realPython();
const run = (args: string[]) => promisify(execFile)(python!, args, { cwd: PY_DIR, env: { PATH: process.env.PATH ?? '', PYTHONDONTWRITEBYTECODE: '1' } });

describe.skipIf(!python)(`convert_meta_to_hf, pure part (real python3: ${python ?? 'none on PATH, skipped'})`, () => {
  it('passes its unit tests on the name-and-shape table of a full Llama-3 8B checkpoint', async () => {
    const { stderr } = await run(['-m', 'unittest', '-v', 'test_hf_convert.py']);
    expect(stderr).toMatch(/Ran 9 tests[\s\S]*\nOK\n/);
    expect(stderr).toMatch(/test_full_8b_meta_checkpoint_converts_to_the_hf_layout .* ok/);
    expect(stderr).toMatch(/test_matches_torchtune_tune_to_hf_permute .* ok/);
    expect(stderr).toMatch(/test_llama3_config_has_no_rope_scaling .* ok/);
  });

  it('the script parses its arguments without torch and needs torch only for the tensors', async () => {
    const help = await run(['convert_meta_to_hf.py', '--help']);
    expect(help.stdout).toMatch(/--no-rope-scaling/);
    const hasTorch = await run(['-c', 'import torch']).then(() => true, () => false);
    if (hasTorch) return;
    const failed = await run(['convert_meta_to_hf.py', '--checkpoint', 'x.pt', '--base-dir', '.', '--out', 'o']).catch((e: { stderr: string }) => e);
    expect((failed as { stderr: string }).stderr).toMatch(/ModuleNotFoundError: No module named 'torch'/);
  });
});
