/** Where node-llama-cpp may run, kept apart so `--help` never loads the runtime. */
export type GpuChoice = 'cpu' | 'auto' | 'cuda' | 'vulkan' | 'metal';
export const GPU_CHOICES: readonly GpuChoice[] = ['cpu', 'auto', 'cuda', 'vulkan', 'metal'];
