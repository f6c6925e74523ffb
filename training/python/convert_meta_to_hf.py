"""Convert a torchtune/Meta-format Llama checkpoint to Hugging Face safetensors, for mlc_llm convert_weight.

Exact command (radreportx build-model --from-meta runs it for you):
    python3 training/python/convert_meta_to_hf.py --checkpoint meta_model_0.pt \
        --base-dir runs/base/Llama-3.1-8B-Instruct --out runs/build/RadReportX/hf --no-rope-scaling

The released RadReportX checkpoint is a full (LoRA-merged) bf16 state dict saved by torchtune's
FullModelMetaCheckpointer (`meta_model_0.pt`, Meta key names such as `layers.0.attention.wq.weight`). The key
names, the q/k head permutation, the layout check and the config rewrite are in hf_convert.py (pure Python,
tested without torch); this file only loads, permutes (by index, with the row order hf_convert computes) and
writes tensors. The network shape comes from the base model's config.json, copied next to the weights with the
tokenizer files. --no-rope-scaling writes config.json for the Llama-3 network (no `rope_scaling`): the paper
trained torchtune's lora_llama3_8b on Llama-3.1 weights.

Progress goes to stderr; one JSON line with what was written goes to stdout. The output folder is assembled
beside its final place and renamed in at the end, so a failed run leaves nothing half-written.
"""
import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hf_convert  # noqa: E402  (the pure part, beside this file)

COPY_FROM_BASE = [
    "generation_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
]


def log(message):
    print(message, file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", required=True, help="meta_model_0.pt (or a torchtune-format .pt)")
    parser.add_argument("--base-dir", required=True, help="the base model's HF download (config.json, tokenizer)")
    parser.add_argument("--out", required=True, help="folder to write the HF weights to")
    parser.add_argument("--shard-size-gb", type=float, default=5.0)
    parser.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    parser.add_argument("--no-rope-scaling", action="store_true", help="config.json for the Llama-3 network: no rope_scaling")
    args = parser.parse_args()

    # Imported here so --help works without torch installed.
    import torch
    from safetensors.torch import save_file

    base = Path(args.base_dir)
    config = json.loads((base / "config.json").read_text())
    facts = hf_convert.shape_facts(config)
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

    try:
        fmt, plan, layout = hf_convert.convert_layout({k: tuple(v.shape) for k, v in state.items()}, config)
    except hf_convert.ConversionError as e:
        raise SystemExit(f"error: {e}")
    log(f"Checkpoint format: {fmt}; {len(plan)} tensors; heads={facts['heads']} kv_heads={facts['kv_heads']} dim={facts['dim']}")
    perms = {
        "q": torch.tensor(hf_convert.head_permutation(facts["heads"], facts["head_dim"])),
        "k": torch.tensor(hf_convert.head_permutation(facts["kv_heads"], facts["head_dim"])),
    }
    itemsize = torch.empty((), dtype=dtype).element_size()
    sizes = {name: itemsize * _numel(shape) for name, shape in layout.items()}
    shards = hf_convert.plan_shards(sizes, int(args.shard_size_gb * 1024**3))
    names = hf_convert.shard_names(len(shards))
    source = {name: (key, kind) for key, name, kind in plan}

    out = Path(args.out)
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    weight_map, total = {}, 0
    for shard_name, members in zip(names, shards):
        tensors = {}
        for name in members:
            key, kind = source[name]
            t = state[key]
            if kind:
                t = t.index_select(0, perms[kind])
            tensors[name] = t.to(dtype).contiguous()
            weight_map[name] = shard_name
            total += tensors[name].numel() * tensors[name].element_size()
        save_file(tensors, str(staging / shard_name), metadata={"format": "pt"})
        log(f"Wrote {shard_name} ({len(members)} tensors)")
        del tensors
    if len(names) > 1:
        (staging / "model.safetensors.index.json").write_text(
            json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2)
        )
    for f in COPY_FROM_BASE:
        if (base / f).exists():
            shutil.copy2(base / f, staging / f)
    hf_config = hf_convert.rewrite_config(config, no_rope_scaling=args.no_rope_scaling, dtype=args.dtype)
    (staging / "config.json").write_text(json.dumps(hf_config, indent=2))

    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    print(json.dumps({"out": str(out.resolve()), "shards": names, "tensors": len(weight_map), "bytes": total, "dtype": args.dtype, "source_format": fmt, "rope_scaling": "rope_scaling" in hf_config}))


def _numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


if __name__ == "__main__":
    main()
