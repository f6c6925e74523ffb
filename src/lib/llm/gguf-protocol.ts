/** The GGUF (CPU engine) half of the page ↔ worker API, types only. */
import type { PromptProfileId } from '../prompts/profiles.ts';
import type { Outcome } from '../errors.ts';
import type { LoadProgressCallback } from './protocol.ts';

/** A GGUF model kept in this browser (Origin Private File System), one file or the parts of a split one. */
export interface StoredGguf {
  name: string;
  parts: string[];
  bytes: number;
  /** From the file's header: `general.name`, architecture, context length, layers, quantization type. */
  header: Record<string, string | number | boolean>;
}

export interface GgufLoadOptions {
  /** Threads for llama.cpp (only > 1 when the page is cross-origin isolated). */
  threads: number;
  /** `json` answers with an evidence quote per finding, or finding names only (fewer tokens: faster on a CPU). */
  answer: 'evidence' | 'names';
  /** `release` for RadReportX's own prompts (raw completions), `json` for this project's schema-constrained one. */
  profile: Extract<PromptProfileId, 'json' | 'release'>;
  contextSize?: number;
}

export interface LoadedGguf {
  name: string;
  bytes: number;
  threads: number;
  multithread: boolean;
  contextSize: number;
  answer: GgufLoadOptions['answer'];
  profile: GgufLoadOptions['profile'];
  loadSeconds: number;
}

export interface GgufApi {
  ggufStored(): Promise<StoredGguf[]>;
  /** Checks the files (GGUF header, every part of a split model) and copies them into this browser's storage. */
  ggufImport(files: File[], onProgress: LoadProgressCallback): Promise<Outcome<StoredGguf>>;
  ggufLoad(name: string, options: GgufLoadOptions): Promise<Outcome<LoadedGguf>>;
  ggufLoaded(): Promise<LoadedGguf | undefined>;
  ggufUnload(): Promise<void>;
  ggufDelete(name: string): Promise<void>;
}
