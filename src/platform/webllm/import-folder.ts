/**
 * Import from a local folder: check an MLC model folder against its own manifests, then write every file into
 * WebLLM's caches under the URLs the site would serve it from, so loading afterwards needs no network at all.
 */
import { RadReportXError } from '../../lib/errors.ts';
import {
  CHAT_CONFIG,
  TENSOR_CACHE,
  checkFolder,
  describeProblems,
  libraryFileName,
  modelFiles,
  modelRoot,
  readChatConfig,
  readTensorCache,
  tokenizerFile,
} from '../../lib/llm/files.ts';
import { libraryProblem, tokenizerProblem } from '../../lib/llm/verify-files.ts';
import { eta } from '../../lib/llm/progress.ts';
import type { ImportFile, ImportReport, LoadProgressCallback } from '../../lib/llm/protocol.ts';
import type { ResolvedModel } from '../../lib/llm/registry.ts';
import { putFile } from './cache.ts';

function folderError(message: string, hint = 'Choose the folder that holds mlc-chat-config.json, tensor-cache.json and the params_shard_*.bin files.'): RadReportXError {
  return new RadReportXError('ModelNotAvailable', message, hint);
}

export async function importFolder(model: ResolvedModel, chosen: ImportFile[], onProgress: LoadProgressCallback): Promise<ImportReport> {
  const root = modelRoot(chosen.map((f) => f.path));
  if (root === undefined) throw folderError(`The chosen folder has no ${CHAT_CONFIG}: it is not an MLC model folder.`);
  const byPath = new Map<string, File>();
  for (const f of chosen) if (f.path.startsWith(root)) byPath.set(f.path.slice(root.length), f.file);

  const config = readChatConfig(await byPath.get(CHAT_CONFIG)!.text());
  const quant = (config as { quantization?: unknown }).quantization;
  if (typeof quant === 'string' && quant !== model.entry.quantization) {
    throw folderError(`This folder holds a ${quant} model, but "${model.entry.name}" is ${model.entry.quantization}.`, 'Import it for the matching model variant.');
  }
  const tensorFile = byPath.get(TENSOR_CACHE);
  if (!tensorFile) throw folderError(`The folder has no ${TENSOR_CACHE}.`);
  const tensors = readTensorCache(await tensorFile.text());
  const problems = checkFolder(new Map([...byPath].map(([p, f]) => [p, f.size])), config, tensors);
  if (problems.length) throw folderError(`The folder is incomplete: ${describeProblems(problems)}`, 'Copy the whole model folder again (every params_shard file), then import it.');

  // Names and sizes are not enough (a folder of right-sized junk passes them): the tokenizer must read as one.
  const tokName = tokenizerFile(config);
  const tokProblem = tokenizerProblem(tokName, new Uint8Array(await byPath.get(tokName)!.arrayBuffer()));
  if (tokProblem) throw folderError(`The folder's tokenizer is not usable: ${tokProblem}`, 'Copy the model folder again from where it was built (mlc_llm gen_config writes the tokenizer), then import it.');

  // The library may sit in the model folder or beside it (public/models/lib/ layout); it is optional, but when
  // it is there it must be a WebAssembly module, or the card would promise a load without the network.
  const libName = libraryFileName(model.libraryUrl);
  const library = chosen.find((f) => f.path === libName || f.path.endsWith(`/${libName}`))?.file;
  const libProblem = library && libraryProblem(libName, new Uint8Array(await library.arrayBuffer()));
  if (libProblem) {
    throw folderError(
      `The folder's model library is not usable: ${libProblem}`,
      `Put the prebuilt WebLLM v0_2_86 library ${libName} in the folder (see public/models/README.md), or leave it out to use the one this site serves.`,
    );
  }

  // Shards first and manifests last: an interrupted import leaves no tensor-cache.json, so nothing looks cached.
  const order = { shard: 0, tokenizer: 1, library: 2, 'tensor-cache': 3, config: 4 } as const;
  const plan = modelFiles(model, config, tensors)
    .map((f) => ({ ...f, file: f.kind === 'library' ? library : byPath.get(f.path) }))
    .filter((f): f is typeof f & { file: File } => !!f.file)
    .sort((a, b) => order[a.kind] - order[b.kind]);
  const bytesTotal = plan.reduce((n, f) => n + f.file.size, 0);
  let bytesDone = 0;
  const started = performance.now();
  for (const f of plan) {
    const elapsed = (performance.now() - started) / 1000;
    onProgress({ phase: 'importing', file: f.path, bytesDone, bytesTotal, fraction: bytesTotal ? bytesDone / bytesTotal : 1, elapsedSeconds: elapsed, etaSeconds: eta(bytesTotal ? bytesDone / bytesTotal : 1, elapsed) });
    try {
      await putFile(f.cache, f.url, f.file, f.file.size, f.kind === 'config' || f.kind === 'tensor-cache' ? 'application/json' : 'application/octet-stream');
    } catch (e) {
      if ((e as { name?: string })?.name === 'QuotaExceededError') {
        throw new RadReportXError('StorageFull', 'The browser ran out of storage space while importing the model.', 'Free disk space or delete other cached models, then import again.');
      }
      throw e;
    }
    bytesDone += f.file.size;
  }
  onProgress({ phase: 'ready', fraction: 1, bytesDone, bytesTotal });
  return { modelId: model.entry.id, files: plan.length, bytes: bytesDone, libraryImported: !!library };
}
