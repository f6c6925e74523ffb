/**
 * The torchtune versions the generated configs are written for, and what each one's LoRA recipes need of a config.
 * The recipes read these keys as `cfg.<key>`, with no default, so a config without one stops at start-up with
 * omegaconf's ConfigAttributeError (after `tune validate` said it was well-formed: validate only instantiates the
 * `_component_` blocks).
 *
 * Read from the torchtune sources: v0.6.1 (the last release) recipes/lora_finetune_single_device.py lines 125-341
 * and lora_finetune_distributed.py 131-345; main at bd2a0fc adds `cfg.log_level` (single device line 152,
 * distributed line 191).
 */
export const TORCHTUNE_VERSIONS = ['0.6.1', 'main'] as const;
export type TorchtuneVersion = (typeof TORCHTUNE_VERSIONS)[number];
export type LoraRecipe = 'lora_finetune_single_device' | 'lora_finetune_distributed';

const COMMON = ['device', 'dtype', 'output_dir', 'seed', 'epochs', 'max_steps_per_epoch', 'resume_from_checkpoint', 'gradient_accumulation_steps', 'metric_logger', 'model', 'tokenizer', 'optimizer', 'loss', 'dataset', 'shuffle', 'batch_size', 'lr_scheduler', 'checkpointer'];

export const RECIPE_KEYS: Record<TorchtuneVersion, Record<LoraRecipe, readonly string[]>> = {
  '0.6.1': {
    lora_finetune_single_device: [...COMMON, 'compile'],
    lora_finetune_distributed: COMMON,
  },
  main: {
    lora_finetune_single_device: [...COMMON, 'compile', 'log_level'],
    lora_finetune_distributed: [...COMMON, 'log_level'],
  },
};

/** Keys a recipe of some supported version reads and the config lacks, as "key (torchtune X, recipe)". */
export function missingRecipeKeys(config: Record<string, unknown>, recipe: LoraRecipe): string[] {
  const missing = new Map<string, string[]>();
  for (const version of TORCHTUNE_VERSIONS) {
    for (const key of RECIPE_KEYS[version][recipe]) if (!(key in config)) missing.set(key, [...(missing.get(key) ?? []), version]);
  }
  return [...missing].map(([key, versions]) => `${key} is missing (torchtune ${versions.join(' and ')} ${recipe} reads cfg.${key} at start-up)`);
}
