/**
 * The base models RadReportX can be fine-tuned from, with everything the pipeline needs to know about each: where
 * the weights come from, the shipped torchtune config, the shape of the network (to recognise a checkpoint), and
 * the prebuilt WebLLM model libraries (web-llm 0.2.86 `prebuiltAppConfig`, libraries v0_2_86) that run it.
 */
export type BaseId = 'llama3.1-8b' | 'llama3-8b' | 'llama3.2-3b' | 'llama3.2-1b';
export type Quantization = 'q4f16_1' | 'q4f32_1';

export const QUANTIZATIONS: readonly Quantization[] = ['q4f16_1', 'q4f32_1'];

export interface BaseModel {
  id: BaseId;
  /** Hugging Face repo for `tune download`. */
  hfRepo: string;
  /** Folder name used under runs/base/. */
  dirName: string;
  /** Shipped torchtune config in training/configs/. */
  config: string;
  /** torchtune's LoRA model builder (for messages; the config holds the real value). */
  builder: string;
  /** Network shape from config.json, to tell which base an HF checkpoint is. */
  shape: { hidden_size: number; num_hidden_layers: number; num_attention_heads: number; num_key_value_heads: number };
  /** Prebuilt WebLLM model library per quantization, and the VRAM WebLLM states for it. */
  libraries: Record<Quantization, { file: string; vramMB: number }>;
  /**
   * Whether the network uses Llama-3.1's RoPE scaling (`rope_scaling` in config.json). The paper's model is the
   * Llama-3 architecture (torchtune `lora_llama3_8b`) on Llama-3.1 weights: no scaling, so a faithful build has no
   * `rope_scaling` and runs on a Llama-3 model library (the 3.1 library changes about half the rotary frequencies).
   */
  ropeScaling: boolean;
  /** MLC conversation template for gen_config (python/mlc_llm/conversation_template/llama.py). */
  convTemplate: string;
  /** `tune download --ignore-patterns`: HF safetensors for the HF checkpointer, Meta format for the paper's. */
  downloadIgnore: string;
  /** Size label for registry names. */
  size: string;
  /** bf16 weights download, GB (for messages and doctor's disk check). */
  downloadGB: number;
  /** GPU memory a bf16 LoRA run needs on one GPU, GB (batch 4, activation checkpointing, ~1k-token examples). */
  trainGpuGB: number;
}

/** Where WebLLM's prebuilt model libraries for web-llm 0.2.86 live. */
export const PREBUILT_LIBRARY_BASE = 'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base/';

export const BASES: Record<BaseId, BaseModel> = {
  'llama3.1-8b': {
    id: 'llama3.1-8b',
    hfRepo: 'meta-llama/Llama-3.1-8B-Instruct',
    dirName: 'Llama-3.1-8B-Instruct',
    config: 'llama3_1_8b_lora.yaml',
    builder: 'torchtune.models.llama3_1.lora_llama3_1_8b',
    shape: { hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8 },
    libraries: {
      q4f16_1: { file: 'Llama-3_1-8B-Instruct-q4f16_1_cs1k-webgpu.wasm', vramMB: 5001 },
      q4f32_1: { file: 'Llama-3_1-8B-Instruct-q4f32_1_cs1k-webgpu.wasm', vramMB: 6101 },
    },
    ropeScaling: true,
    convTemplate: 'llama-3_1',
    downloadIgnore: 'original/consolidated.00.pth',
    size: '8B',
    downloadGB: 16,
    trainGpuGB: 24,
  },
  // The paper's model: Llama-3.1-8B-Instruct weights, the Llama-3 network (reference README, "Training"); only the
  // paper recipe (finetune --recipe paper) and the released checkpoint (build-model --from-meta) use it.
  'llama3-8b': {
    id: 'llama3-8b',
    hfRepo: 'meta-llama/Llama-3.1-8B-Instruct',
    dirName: 'Llama-3.1-8B-Instruct',
    config: 'paper_llama3_8b_lora.yaml',
    builder: 'torchtune.models.llama3.lora_llama3_8b',
    shape: { hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8 },
    // web-llm 0.2.86 prebuiltAppConfig: Llama-3-8B-Instruct-q4f16_1-MLC / q4f32_1-MLC (context_window_size 4096).
    libraries: {
      q4f16_1: { file: 'Llama-3-8B-Instruct-q4f16_1_cs1k-webgpu.wasm', vramMB: 5001 },
      q4f32_1: { file: 'Llama-3-8B-Instruct-q4f32_1_cs1k-webgpu.wasm', vramMB: 6101 },
    },
    ropeScaling: false,
    convTemplate: 'llama-3',
    downloadIgnore: '*.safetensors',
    size: '8B',
    downloadGB: 16,
    trainGpuGB: 24,
  },
  'llama3.2-3b': {
    id: 'llama3.2-3b',
    hfRepo: 'meta-llama/Llama-3.2-3B-Instruct',
    dirName: 'Llama-3.2-3B-Instruct',
    config: 'llama3_2_3b_lora.yaml',
    builder: 'torchtune.models.llama3_2.lora_llama3_2_3b',
    shape: { hidden_size: 3072, num_hidden_layers: 28, num_attention_heads: 24, num_key_value_heads: 8 },
    libraries: {
      q4f16_1: { file: 'Llama-3.2-3B-Instruct-q4f16_1_cs1k-webgpu.wasm', vramMB: 2264 },
      q4f32_1: { file: 'Llama-3.2-3B-Instruct-q4f32_1_cs1k-webgpu.wasm', vramMB: 2952 },
    },
    ropeScaling: true,
    convTemplate: 'llama-3_1',
    downloadIgnore: 'original/consolidated.00.pth',
    size: '3B',
    downloadGB: 6.5,
    trainGpuGB: 12,
  },
  'llama3.2-1b': {
    id: 'llama3.2-1b',
    hfRepo: 'meta-llama/Llama-3.2-1B-Instruct',
    dirName: 'Llama-3.2-1B-Instruct',
    config: 'llama3_2_1b_lora.yaml',
    builder: 'torchtune.models.llama3_2.lora_llama3_2_1b',
    shape: { hidden_size: 2048, num_hidden_layers: 16, num_attention_heads: 32, num_key_value_heads: 8 },
    libraries: {
      q4f16_1: { file: 'Llama-3.2-1B-Instruct-q4f16_1_cs1k-webgpu.wasm', vramMB: 880 },
      q4f32_1: { file: 'Llama-3.2-1B-Instruct-q4f32_1_cs1k-webgpu.wasm', vramMB: 1129 },
    },
    ropeScaling: true,
    convTemplate: 'llama-3_1',
    downloadIgnore: 'original/consolidated.00.pth',
    size: '1B',
    downloadGB: 2.5,
    trainGpuGB: 8,
  },
};

export const BASE_IDS = Object.keys(BASES) as BaseId[];

/** True when config.json asks for Llama-3.1-style RoPE scaling (mlc_llm keeps it only with a rope_type). */
export function hasRopeScaling(config: Record<string, unknown>): boolean {
  const r = config.rope_scaling as { rope_type?: unknown } | null | undefined;
  return Boolean(r && typeof r === 'object' && r.rope_type);
}

/** The base whose network shape (and RoPE scaling) matches an HF config.json, or undefined. */
export function baseFromHfConfig(config: Record<string, unknown>): BaseModel | undefined {
  return Object.values(BASES).find((b) => Object.entries(b.shape).every(([k, v]) => config[k] === v) && b.ropeScaling === hasRopeScaling(config));
}

export function downloadCommand(base: BaseModel, dir: string): string {
  return `tune download ${base.hfRepo} --output-dir ${dir} --ignore-patterns "${base.downloadIgnore}"`;
}
