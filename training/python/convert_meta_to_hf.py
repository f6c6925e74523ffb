#!/usr/bin/env python3
"""Convert a torchtune/Meta-format Llama checkpoint to Hugging Face safetensors, for mlc_llm convert_weight.

Exact command (radreportx build-model --from-meta runs it for you):
    python3 training/python/convert_meta_to_hf.py --checkpoint meta_model_0.pt \
        --base-dir runs/base/Llama-3.1-8B-Instruct --out runs/build/RadReportX/hf

The released RadReportX checkpoint is a full (LoRA-merged) bf16 state dict saved by torchtune's
FullModelMetaCheckpointer (`meta_model_0.pt`, Meta key names such as `layers.0.attention.wq.weight`). This script
uses torchtune's own converters, so the q/k head permutation matches what torchtune does when it saves HF weights:
    Meta keys --convert_weights.meta_to_tune--> torchtune keys --convert_weights.tune_to_hf--> HF keys
A checkpoint already in torchtune key names skips the first step. The network shape (heads, kv heads, dim) comes
from the base model's config.json, which is copied next to the weights together with the tokenizer files.

Progress goes to stderr; one JSON line with what was written goes to stdout. The output folder is assembled
beside its final place and renamed in at the end, so a failed run leaves nothing half-written.
"""
import argparse
import inspect
import json
import shutil
import sys
from pathlib import Path

COPY_FROM_BASE = [
    "config.json",
    "generation_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
]


def log(message):
    print(message, file=sys.stderr, flush=True)


def detect_format(keys):
    """'meta', 'torchtune' or 'hf', from the key names."""
    if any(".attention.wq." in k for k in keys):
        return "meta"
    if any(".attn.q_proj." in k for k in keys):
        return "torchtune"
    if any(k.startswith("model.layers.") for k in keys):
        return "hf"
    raise SystemExit(
        "error: the checkpoint's keys are not Llama weights in Meta, torchtune or HF naming "
        f"(first keys: {sorted(keys)[:3]})"
    )


def plan_shards(state, max_bytes):
    """Groups key names into shards of at most max_bytes, in key order (layers stay together)."""
    shards, current, size = [], [], 0
    for key in sorted(state):
        nbytes = state[key].numel() * state[key].element_size()
        if current and size + nbytes > max_bytes:
            shards.append(current)
            current, size = [], 0
        current.append(key)
        size += nbytes
    if current:
        shards.append(current)
    return shards


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", required=True, help="meta_model_0.pt (or a torchtune-format .pt)")
    parser.add_argument("--base-dir", required=True, help="the base model's HF download (config.json, tokenizer)")
    parser.add_argument("--out", required=True, help="folder to write the HF weights to")
    parser.add_argument("--shard-size-gb", type=float, default=5.0)
    parser.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    args = parser.parse_args()

    # Imported here so --help works without torch installed.
    import torch
    from safetensors.torch import save_file
    from torchtune.models import convert_weights

    base = Path(args.base_dir)
    config = json.loads((base / "config.json").read_text())
    num_heads = config["num_attention_heads"]
    num_kv_heads = config["num_key_value_heads"]
    dim = config["hidden_size"]
    head_dim = config.get("head_dim")
    dtype = getattr(torch, args.dtype)

    log(f"Loading {args.checkpoint} ...")
    try:
        # mmap keeps the 16 GB state dict out of RAM until each tensor is written.
        state = torch.load(args.checkpoint, map_location="cpu", mmap=True, weights_only=True)
    except RuntimeError:
        # Files saved in torch's legacy (non-zip) format cannot be memory-mapped.
        state = torch.load(args.checkpoint, map_location="cpu", weights_only=True)
    # Some checkpoints wrap the weights with their training state: {"model": {...}, ...}.
    if isinstance(state, dict) and isinstance(state.get("model"), dict):
        state = state["model"]
    if not isinstance(state, dict) or not state:
        raise SystemExit("error: the checkpoint holds no state dict")
    lora = [k for k in state if "lora_" in k]
    if lora:
        raise SystemExit(
            f"error: the checkpoint holds unmerged LoRA weights ({lora[0]}, ...); merge them first "
            "(torchtune saves merged weights in epoch_N/ unless save_adapter_weights_only is set)"
        )

    fmt = detect_format(list(state))
    log(f"Checkpoint format: {fmt}; {len(state)} tensors; num_heads={num_heads} num_kv_heads={num_kv_heads} dim={dim}")
    if fmt == "meta":
        state = convert_weights.meta_to_tune(state)
    if fmt in ("meta", "torchtune"):
        kwargs = dict(num_heads=num_heads, num_kv_heads=num_kv_heads, dim=dim)
        # head_dim arrived in later torchtune releases; pass it only where the converter takes it.
        if head_dim is not None and "head_dim" in inspect.signature(convert_weights.tune_to_hf).parameters:
            kwargs["head_dim"] = head_dim
        state = convert_weights.tune_to_hf(state, **kwargs)
    if config.get("tie_word_embeddings") and "lm_head.weight" in state:
        # Tied models (Llama 3.2 1B/3B) read the output layer from the embeddings.
        del state["lm_head.weight"]

    # The converted keys must be exactly the base model's, or mlc_llm would fail (or load garbage) later.
    index_path = base / "model.safetensors.index.json"
    if index_path.exists():
        expected = set(json.loads(index_path.read_text())["weight_map"])
        if config.get("tie_word_embeddings"):
            expected.discard("lm_head.weight")
        missing, extra = sorted(expected - set(state)), sorted(set(state) - expected)
        if missing or extra:
            raise SystemExit(
                f"error: the converted keys do not match the base model ({len(missing)} missing, e.g. {missing[:2]}; "
                f"{len(extra)} unexpected, e.g. {extra[:2]}); is --base-dir the model this checkpoint was trained from?"
            )

    out = Path(args.out)
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    shards = plan_shards(state, int(args.shard_size_gb * 1024**3))
    names = (
        ["model.safetensors"]
        if len(shards) == 1
        else [f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors" for i in range(len(shards))]
    )
    weight_map, total = {}, 0
    for name, keys in zip(names, shards):
        tensors = {k: state[k].to(dtype).contiguous() for k in keys}
        save_file(tensors, str(staging / name), metadata={"format": "pt"})
        for k, t in tensors.items():
            weight_map[k] = name
            total += t.numel() * t.element_size()
        log(f"Wrote {name} ({len(keys)} tensors)")
        del tensors
    if len(names) > 1:
        (staging / "model.safetensors.index.json").write_text(
            json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2)
        )
    for f in COPY_FROM_BASE:
        if (base / f).exists():
            shutil.copy2(base / f, staging / f)
    hf_config = json.loads((staging / "config.json").read_text())
    hf_config["torch_dtype"] = args.dtype
    (staging / "config.json").write_text(json.dumps(hf_config, indent=2))

    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    print(json.dumps({"out": str(out.resolve()), "shards": names, "tensors": len(weight_map), "bytes": total, "dtype": args.dtype, "source_format": fmt}))


if __name__ == "__main__":
    main()
