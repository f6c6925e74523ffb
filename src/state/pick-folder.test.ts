import { describe, expect, it } from 'vitest';
import { filesFromHandle, filesFromInput } from './pick-folder.ts';

const file = (name: string, rel = '') => {
  const f = new File(['x'], name);
  Object.defineProperty(f, 'webkitRelativePath', { value: rel });
  return f;
};

describe('folder picking', () => {
  it('drops the chosen folder\'s own name from <input webkitdirectory> paths', () => {
    const files = filesFromInput([file('mlc-chat-config.json', 'import/M/mlc-chat-config.json'), file('x.wasm', 'import/x.wasm'), file('loose.bin')]);
    expect(files.map((f) => f.path)).toEqual(['M/mlc-chat-config.json', 'x.wasm', 'loose.bin']);
  });

  it('walks a directory handle into relative paths', async () => {
    const handle = (name: string, entries: unknown[]) => ({ kind: 'directory' as const, name, async *values() { yield* entries; } });
    const fh = (name: string) => ({ kind: 'file' as const, name, getFile: async () => file(name) });
    const root = handle('picked', [fh('a.wasm'), handle('M', [fh('mlc-chat-config.json'), fh('params_shard_0.bin')])]);
    const files = await filesFromHandle(root as never);
    expect(files.map((f) => f.path).sort()).toEqual(['M/mlc-chat-config.json', 'M/params_shard_0.bin', 'a.wasm']);
    expect(files[0].file).toBeInstanceOf(File);
  });
});
