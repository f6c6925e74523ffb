"""Tests of hf_convert.py with plain python3 (no torch): run `python3 -m unittest training/python/test_hf_convert.py`.

The checkpoint is a fake name-and-shape table of a full Llama-3 8B Meta-format state dict (what
FullModelMetaCheckpointer saves: 32 layers, 4096 wide, 8 kv heads, 14336 FFN, 128256 vocabulary, plus rope.freqs).
"""
import itertools
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_convert  # noqa: E402

# config.json of meta-llama/Llama-3.1-8B-Instruct (the shape and RoPE fields that matter here).
LLAMA31_8B_CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "vocab_size": 128256,
    "max_position_embeddings": 131072,
    "rope_theta": 500000.0,
    "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}


def meta_8b_table():
    t = {"tok_embeddings.weight": (128256, 4096), "norm.weight": (4096,), "output.weight": (128256, 4096), "rope.freqs": (64,)}
    for i in range(32):
        p = f"layers.{i}."
        t[p + "attention.wq.weight"] = (4096, 4096)
        t[p + "attention.wk.weight"] = (1024, 4096)
        t[p + "attention.wv.weight"] = (1024, 4096)
        t[p + "attention.wo.weight"] = (4096, 4096)
        t[p + "feed_forward.w1.weight"] = (14336, 4096)
        t[p + "feed_forward.w2.weight"] = (4096, 14336)
        t[p + "feed_forward.w3.weight"] = (14336, 4096)
        t[p + "attention_norm.weight"] = (4096,)
        t[p + "ffn_norm.weight"] = (4096,)
    return t


def strided_permute(rows, shape, swap):
    """torch's t.view(shape).transpose(*swap).reshape(-1, shape[-1]) on a list of rows, by generic stride arithmetic."""
    flat = [x for r in rows for x in r]
    strides = [1] * len(shape)
    for i in range(len(shape) - 2, -1, -1):
        strides[i] = strides[i + 1] * shape[i + 1]
    a, b = swap
    tshape, tstrides = list(shape), list(strides)
    tshape[a], tshape[b] = tshape[b], tshape[a]
    tstrides[a], tstrides[b] = tstrides[b], tstrides[a]
    out = [flat[sum(i * s for i, s in zip(idx, tstrides))] for idx in itertools.product(*(range(n) for n in tshape))]
    dim = shape[-1]
    return [out[i : i + dim] for i in range(0, len(out), dim)]


class HeadPermutation(unittest.TestCase):
    def test_matches_torchtune_tune_to_hf_permute(self):
        # tune_to_hf: t.view(n_heads, head_dim // 2, 2, dim).transpose(1, 2).reshape(head_dim * n_heads, dim)
        for n_heads, head_dim, dim in [(4, 8, 3), (2, 128, 2), (8, 16, 1)]:
            rows = [[r * 10 + c for c in range(dim)] for r in range(n_heads * head_dim)]
            expected = strided_permute(rows, (n_heads, head_dim // 2, 2, dim), (1, 2))
            perm = hf_convert.head_permutation(n_heads, head_dim)
            self.assertEqual([rows[i] for i in perm], expected)
            self.assertEqual(sorted(perm), list(range(n_heads * head_dim)))

    def test_hf_to_tune_undoes_it(self):
        # hf_to_tune: t.view(n_heads, 2, head_dim // 2, dim).transpose(1, 2).reshape(...)
        n_heads, head_dim, dim = 8, 128, 1
        rows = [[r] for r in range(n_heads * head_dim)]
        hf = [rows[i] for i in hf_convert.head_permutation(n_heads, head_dim)]
        self.assertEqual(strided_permute(hf, (n_heads, 2, head_dim // 2, dim), (1, 2)), rows)

    def test_first_head_rows(self):
        # HF row j of head 0 is Meta row 2j (first of each rotary pair), row 64 + j is Meta row 2j + 1.
        perm = hf_convert.head_permutation(32, 128)
        self.assertEqual(perm[:4], [0, 2, 4, 6])
        self.assertEqual(perm[64:68], [1, 3, 5, 7])
        self.assertEqual(perm[128:130], [128, 130])
        with self.assertRaises(hf_convert.ConversionError):
            hf_convert.head_permutation(2, 7)


class Llama3Layout(unittest.TestCase):
    def test_full_8b_meta_checkpoint_converts_to_the_hf_layout(self):
        fmt, plan, layout = hf_convert.convert_layout(meta_8b_table(), LLAMA31_8B_CONFIG)
        self.assertEqual(fmt, "meta")
        self.assertEqual(len(layout), 291)  # 32 x 9 + embeddings, norm, lm_head; rope.freqs dropped
        self.assertEqual(layout, hf_convert.expected_hf_layout(LLAMA31_8B_CONFIG))
        self.assertEqual(layout["model.embed_tokens.weight"], (128256, 4096))
        self.assertEqual(layout["lm_head.weight"], (128256, 4096))
        self.assertEqual(layout["model.layers.31.self_attn.k_proj.weight"], (1024, 4096))
        self.assertEqual(layout["model.layers.0.mlp.down_proj.weight"], (4096, 14336))
        self.assertEqual(layout["model.layers.7.post_attention_layernorm.weight"], (4096,))
        kinds = {name: kind for _, name, kind in plan if kind}
        self.assertEqual(len(kinds), 64)
        self.assertEqual(kinds["model.layers.3.self_attn.q_proj.weight"], "q")
        self.assertEqual(kinds["model.layers.3.self_attn.k_proj.weight"], "k")
        self.assertNotIn("model.layers.3.self_attn.v_proj.weight", kinds)
        pairs = {k: n for k, n, _ in plan}
        self.assertEqual(pairs["layers.12.feed_forward.w1.weight"], "model.layers.12.mlp.gate_proj.weight")
        self.assertEqual(pairs["layers.12.feed_forward.w3.weight"], "model.layers.12.mlp.up_proj.weight")
        self.assertEqual(pairs["layers.12.attention_norm.weight"], "model.layers.12.input_layernorm.weight")
        self.assertEqual(pairs["norm.weight"], "model.norm.weight")

    def test_torchtune_keys_convert_the_same(self):
        tune = {}
        for key, shape in meta_8b_table().items():
            name = hf_convert.hf_key(key, "meta")
            if name is None:
                continue
            inverse = {v: k for k, v in hf_convert.TUNE_TO_HF.items()}
            layer = name.split(".")[2] if name.startswith("model.layers.") else None
            abstract = name.replace(f".{layer}.", ".{}.", 1) if layer else name
            tune[inverse[abstract].format(layer) if layer else inverse[abstract]] = shape
        fmt, _, layout = hf_convert.convert_layout(tune, LLAMA31_8B_CONFIG)
        self.assertEqual(fmt, "torchtune")
        self.assertEqual(layout, hf_convert.expected_hf_layout(LLAMA31_8B_CONFIG))

    def test_refuses_what_does_not_fit(self):
        table = meta_8b_table()
        del table["layers.5.attention.wv.weight"]
        with self.assertRaisesRegex(hf_convert.ConversionError, r"1 missing, e.g. \['model.layers.5.self_attn.v_proj.weight'\]"):
            hf_convert.convert_layout(table, LLAMA31_8B_CONFIG)
        table = meta_8b_table()
        table["layers.0.attention.wk.weight"] = (4096, 4096)  # a 70B-style or non-GQA k projection
        with self.assertRaisesRegex(hf_convert.ConversionError, r"another shape, e.g. model.layers.0.self_attn.k_proj.weight \(4096, 4096\) \(expected \(1024, 4096\)\)"):
            hf_convert.convert_layout(table, LLAMA31_8B_CONFIG)
        table = meta_8b_table()
        table["layers.0.attention.wq.lora_a.weight"] = (8, 4096)
        with self.assertRaisesRegex(hf_convert.ConversionError, "unmerged LoRA weights"):
            hf_convert.convert_layout(table, LLAMA31_8B_CONFIG)
        with self.assertRaisesRegex(hf_convert.ConversionError, "not Llama weights"):
            hf_convert.convert_layout({"encoder.weight": (3,)}, LLAMA31_8B_CONFIG)
        table = meta_8b_table()
        table["layers.0.attention.bias"] = (4096,)
        with self.assertRaisesRegex(hf_convert.ConversionError, "unexpected key 'layers.0.attention.bias'"):
            hf_convert.convert_layout(table, LLAMA31_8B_CONFIG)


class Config(unittest.TestCase):
    def test_llama3_config_has_no_rope_scaling(self):
        out = hf_convert.rewrite_config(LLAMA31_8B_CONFIG, no_rope_scaling=True)
        self.assertNotIn("rope_scaling", out)
        self.assertEqual(out["max_position_embeddings"], 8192)
        self.assertEqual(out["rope_theta"], 500000.0)
        self.assertEqual(out["torch_dtype"], "bfloat16")
        self.assertIn("rope_scaling", LLAMA31_8B_CONFIG)  # the input is not changed
        json.dumps(out)

    def test_project_builds_keep_it(self):
        out = hf_convert.rewrite_config(LLAMA31_8B_CONFIG, no_rope_scaling=False, dtype="float16")
        self.assertEqual(out["rope_scaling"]["rope_type"], "llama3")
        self.assertEqual(out["max_position_embeddings"], 131072)
        self.assertEqual(out["torch_dtype"], "float16")


class Shards(unittest.TestCase):
    def test_5gb_shards_of_bf16_8b(self):
        layout = hf_convert.expected_hf_layout(LLAMA31_8B_CONFIG)
        sizes = {n: 2 * eval("*".join(map(str, s))) for n, s in layout.items()}
        self.assertEqual(sum(sizes.values()), 2 * 8_030_261_248)  # Llama-3 8B: 8,030,261,248 parameters
        shards = hf_convert.plan_shards(sizes, 5 * 1024**3)
        self.assertEqual(len(shards), 4)
        self.assertTrue(all(sum(sizes[n] for n in s) <= 5 * 1024**3 for s in shards))
        self.assertEqual(sorted(n for s in shards for n in s), sorted(layout))
        self.assertEqual(hf_convert.shard_names(4)[3], "model-00004-of-00004.safetensors")
        self.assertEqual(hf_convert.shard_names(1), ["model.safetensors"])


if __name__ == "__main__":
    unittest.main()
