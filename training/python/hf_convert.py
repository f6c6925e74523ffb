"""The pure part of converting a Meta-format (or torchtune-format) Llama checkpoint to Hugging Face format.

No torch here: key renaming, the q/k head permutation as index arithmetic, the expected name-and-shape layout
of the HF model, the config rewrite and the shard plan. convert_meta_to_hf.py applies them to real tensors, and
test_hf_convert.py checks them with plain python3 on the name-and-shape table of a full Llama-3 8B checkpoint.

The key maps are torchtune's (torchtune/models/convert_weights.py `_FROM_META` and `_FROM_HF`, composed so a
Meta key goes straight to its HF name), and the permutation is the one `tune_to_hf` applies (`_permute`:
`t.view(n_heads, head_dim // 2, 2, dim).transpose(1, 2).reshape(head_dim * n_heads, dim)`): Meta/torchtune keep
each head's rotary pairs interleaved (0, 1), (2, 3), ...; HF's rotate_half wants the first halves, then the second.
"""
import re

# Meta key -> HF key ({} is the layer number). rope.freqs is not a weight (torchtune meta_to_tune skips it).
META_TO_HF = {
    "tok_embeddings.weight": "model.embed_tokens.weight",
    "norm.weight": "model.norm.weight",
    "output.weight": "lm_head.weight",
    "layers.{}.attention.wq.weight": "model.layers.{}.self_attn.q_proj.weight",
    "layers.{}.attention.wk.weight": "model.layers.{}.self_attn.k_proj.weight",
    "layers.{}.attention.wv.weight": "model.layers.{}.self_attn.v_proj.weight",
    "layers.{}.attention.wo.weight": "model.layers.{}.self_attn.o_proj.weight",
    "layers.{}.attention_norm.weight": "model.layers.{}.input_layernorm.weight",
    "layers.{}.ffn_norm.weight": "model.layers.{}.post_attention_layernorm.weight",
    "layers.{}.feed_forward.w1.weight": "model.layers.{}.mlp.gate_proj.weight",
    "layers.{}.feed_forward.w2.weight": "model.layers.{}.mlp.down_proj.weight",
    "layers.{}.feed_forward.w3.weight": "model.layers.{}.mlp.up_proj.weight",
}

# torchtune key -> HF key (the inverse of torchtune's _FROM_HF).
TUNE_TO_HF = {
    "tok_embeddings.weight": "model.embed_tokens.weight",
    "norm.scale": "model.norm.weight",
    "output.weight": "lm_head.weight",
    "layers.{}.attn.q_proj.weight": "model.layers.{}.self_attn.q_proj.weight",
    "layers.{}.attn.k_proj.weight": "model.layers.{}.self_attn.k_proj.weight",
    "layers.{}.attn.v_proj.weight": "model.layers.{}.self_attn.v_proj.weight",
    "layers.{}.attn.output_proj.weight": "model.layers.{}.self_attn.o_proj.weight",
    "layers.{}.sa_norm.scale": "model.layers.{}.input_layernorm.weight",
    "layers.{}.mlp_norm.scale": "model.layers.{}.post_attention_layernorm.weight",
    "layers.{}.mlp.w1.weight": "model.layers.{}.mlp.gate_proj.weight",
    "layers.{}.mlp.w2.weight": "model.layers.{}.mlp.down_proj.weight",
    "layers.{}.mlp.w3.weight": "model.layers.{}.mlp.up_proj.weight",
}

SKIPPED = {"rope.freqs"}


class ConversionError(ValueError):
    """The checkpoint does not fit the base model; the message says which keys or shapes."""


def detect_format(keys):
    """'meta', 'torchtune' or 'hf', from the key names."""
    keys = list(keys)
    if any(".attention.wq." in k for k in keys):
        return "meta"
    if any(".attn.q_proj." in k for k in keys):
        return "torchtune"
    if any(k.startswith("model.layers.") for k in keys):
        return "hf"
    raise ConversionError(
        "the checkpoint's keys are not Llama weights in Meta, torchtune or HF naming "
        f"(first keys: {sorted(keys)[:3]})"
    )


def _mapped(key, mapping):
    layer = re.search(r"\.(\d+)\.", key)
    abstract = re.sub(r"\.(\d+)\.", ".{}.", key, count=1) if layer else key
    if abstract not in mapping:
        raise ConversionError(f"unexpected key {key!r}")
    return mapping[abstract].format(layer.group(1)) if layer else mapping[abstract]


def hf_key(key, fmt):
    """The HF name of a checkpoint key, or None for keys that are not weights (rope.freqs)."""
    if key in SKIPPED:
        return None
    if fmt == "hf":
        return key
    return _mapped(key, META_TO_HF if fmt == "meta" else TUNE_TO_HF)


def needs_permutation(hf_name):
    """q and k projections are permuted (tune_to_hf permutes q_proj with num_heads, k_proj with num_kv_heads)."""
    if hf_name.endswith("self_attn.q_proj.weight"):
        return "q"
    if hf_name.endswith("self_attn.k_proj.weight"):
        return "k"
    return None


def head_permutation(n_heads, head_dim):
    """Row order of tune_to_hf's _permute: hf[h*hd + a*(hd/2) + j] = meta[h*hd + 2*j + a], as a list hf_row -> meta_row."""
    if head_dim % 2:
        raise ConversionError(f"head_dim {head_dim} is odd; rotary embeddings need pairs")
    half = head_dim // 2
    perm = [0] * (n_heads * head_dim)
    for h in range(n_heads):
        for a in range(2):
            for j in range(half):
                perm[h * head_dim + a * half + j] = h * head_dim + 2 * j + a
    return perm


def shape_facts(config):
    """Heads, kv heads, head_dim, dim from an HF config.json."""
    dim = config["hidden_size"]
    heads = config["num_attention_heads"]
    return {
        "dim": dim,
        "heads": heads,
        "kv_heads": config.get("num_key_value_heads", heads),
        "head_dim": config.get("head_dim") or dim // heads,
        "layers": config["num_hidden_layers"],
        "ffn": config["intermediate_size"],
        "vocab": config["vocab_size"],
        "tied": bool(config.get("tie_word_embeddings")),
    }


def expected_hf_layout(config):
    """Every tensor name of the HF Llama model and its shape, from config.json."""
    f = shape_facts(config)
    d, hd = f["dim"], f["head_dim"]
    out = {"model.embed_tokens.weight": (f["vocab"], d), "model.norm.weight": (d,)}
    if not f["tied"]:
        out["lm_head.weight"] = (f["vocab"], d)
    for i in range(f["layers"]):
        p = f"model.layers.{i}."
        out[p + "self_attn.q_proj.weight"] = (f["heads"] * hd, d)
        out[p + "self_attn.k_proj.weight"] = (f["kv_heads"] * hd, d)
        out[p + "self_attn.v_proj.weight"] = (f["kv_heads"] * hd, d)
        out[p + "self_attn.o_proj.weight"] = (d, f["heads"] * hd)
        out[p + "mlp.gate_proj.weight"] = (f["ffn"], d)
        out[p + "mlp.up_proj.weight"] = (f["ffn"], d)
        out[p + "mlp.down_proj.weight"] = (d, f["ffn"])
        out[p + "input_layernorm.weight"] = (d,)
        out[p + "post_attention_layernorm.weight"] = (d,)
    return out


def convert_layout(layout, config):
    """
    The conversion plan for a checkpoint given as {key: shape}: a list of (source key, HF key, permutation kind or
    None) and the resulting {HF key: shape}. Raises ConversionError naming every missing, unexpected or misshapen
    tensor, so nothing is written for a checkpoint that does not fit the base model.
    """
    if any("lora_" in k for k in layout):
        first = next(k for k in layout if "lora_" in k)
        raise ConversionError(
            f"the checkpoint holds unmerged LoRA weights ({first}, ...); merge them first "
            "(torchtune saves merged weights unless save_adapter_weights_only is set)"
        )
    fmt = detect_format(layout)
    f = shape_facts(config)
    plan, converted = [], {}
    for key in sorted(layout):
        name = hf_key(key, fmt)
        if name is None:
            continue
        if f["tied"] and name == "lm_head.weight":
            continue  # tied models (Llama 3.2 1B/3B) read the output layer from the embeddings
        kind = needs_permutation(name) if fmt != "hf" else None
        plan.append((key, name, kind))
        converted[name] = tuple(layout[key])
    expected = expected_hf_layout(config)
    missing = sorted(set(expected) - set(converted))
    extra = sorted(set(converted) - set(expected))
    wrong = sorted(n for n in set(expected) & set(converted) if tuple(expected[n]) != tuple(converted[n]))
    if missing or extra or wrong:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing, e.g. {missing[:2]}")
        if extra:
            parts.append(f"{len(extra)} unexpected, e.g. {extra[:2]}")
        if wrong:
            parts.append(f"{len(wrong)} with another shape, e.g. {wrong[0]} {converted[wrong[0]]} (expected {expected[wrong[0]]})")
        raise ConversionError(
            f"the converted tensors do not match the base model's layout ({'; '.join(parts)}); "
            "is --base-dir the model this checkpoint was trained from?"
        )
    return fmt, plan, converted


def rewrite_config(config, no_rope_scaling=False, dtype="bfloat16"):
    """
    config.json for the converted weights. With no_rope_scaling (the paper's Llama-3 network on Llama-3.1 weights:
    torchtune lora_llama3_8b) the Llama-3.1 `rope_scaling` block goes, and max_position_embeddings returns to the
    unscaled window it names (original_max_position_embeddings, 8192 for Llama 3).
    """
    out = dict(config)
    out["torch_dtype"] = dtype
    if no_rope_scaling and out.get("rope_scaling") is not None:
        scaling = out.pop("rope_scaling")
        original = scaling.get("original_max_position_embeddings") if isinstance(scaling, dict) else None
        if original:
            out["max_position_embeddings"] = original
    return out


def plan_shards(sizes, max_bytes):
    """Groups names into shards of at most max_bytes, in name order (layers stay together); {name: nbytes} in."""
    shards, current, size = [], [], 0
    for name in sorted(sizes):
        if current and size + sizes[name] > max_bytes:
            shards.append(current)
            current, size = [], 0
        current.append(name)
        size += sizes[name]
    if current:
        shards.append(current)
    return shards


def shard_names(count):
    return ["model.safetensors"] if count == 1 else [f"model-{i + 1:05d}-of-{count:05d}.safetensors" for i in range(count)]
