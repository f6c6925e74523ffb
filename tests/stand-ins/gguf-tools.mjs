// Stand-ins for llama.cpp's converter and quantizer, for tests on a machine without llama.cpp's Python stack or
// the 16 GB checkpoint. Each records its arguments (STANDIN_LOG, as standin.mjs does), writes a small but real GGUF
// file, and refuses what the real tool refuses:
//   convert (run by the python stand-in for `python convert_hf_to_gguf.py`) imitates llama.cpp's convert_hf_to_gguf.py (argument parser, ModelBase.from_model_architecture,
//     the model-file and tokenizer checks, LlamaModel.generate_extra_tensors writing rope_freqs for rope_type llama3,
//     --outtype choices f32 f16 bf16 q8_0 tq1_0 tq2_0 auto).
//   llama-quantize imitates tools/quantize/quantize.cpp (usage, the QUANT_OPTIONS type names, "input and output files
//     are the same", requantizing refused without --allow-requantize, IQ types refused without --imatrix, an input
//     that is not GGUF fails to load).
//   STANDIN_FAIL=convert_hf_to_gguf or llama-quantize: exit 1 with a realistic error.
import { appendFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const env = process.env;
const err = (s) => process.stderr.write(s);

function record(tool, args) {
  if (env.STANDIN_LOG) appendFileSync(env.STANDIN_LOG, `${JSON.stringify({ tool, args, cwd: process.cwd() })}\n`);
}

// --- a minimal GGUF v3 writer (metadata + tiny F32 tensors) ---
const T = { u32: 4, f32: 6, bool: 7, string: 8, array: 9 };
function gguf(meta, tensors) {
  const parts = [];
  const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); parts.push(b); };
  const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); parts.push(b); };
  const str = (s) => { const b = Buffer.from(s); u64(b.length); parts.push(b); };
  parts.push(Buffer.from('GGUF'));
  u32(3);
  u64(tensors.length);
  u64(meta.length);
  for (const [k, type, v] of meta) {
    str(k);
    u32(T[type]);
    if (type === 'u32') u32(v);
    else if (type === 'f32') { const b = Buffer.alloc(4); b.writeFloatLE(v); parts.push(b); }
    else if (type === 'bool') parts.push(Buffer.from([v ? 1 : 0]));
    else if (type === 'string') str(v);
    else { u32(T.string); u64(v.length); v.forEach(str); }
  }
  let offset = 0;
  for (const [name, n] of tensors) {
    str(name); u32(1); u64(n); u32(0); u64(offset);
    offset += Math.ceil((n * 4) / 32) * 32;
  }
  let head = Buffer.concat(parts);
  head = Buffer.concat([head, Buffer.alloc(Math.ceil(head.length / 32) * 32 - head.length)]);
  return Buffer.concat([head, Buffer.alloc(offset)]);
}

// llama_ftype values (llama.h) by outtype / quantization name.
const FTYPE = { f32: 0, f16: 1, q8_0: 7, bf16: 32, tq1_0: 36, tq2_0: 37, Q8_0: 7, Q4_K_M: 15, Q5_K_M: 17, Q6_K: 18, Q4_K_S: 14, Q5_K_S: 16, Q4_0: 2, Q2_K: 10, Q3_K_M: 12, F16: 1, BF16: 32, F32: 0 };

export function convert(args) {
  record('convert_hf_to_gguf', args);
  const usage = 'usage: convert_hf_to_gguf.py [-h] [--vocab-only] [--outfile OUTFILE] [--outtype {f32,f16,bf16,q8_0,tq1_0,tq2_0,auto}] [--bigendian] model\n';
  const opts = {};
  const pos = [];
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage}\nConvert a huggingface model to a GGML compatible file\n`);
    return 0;
  }
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--outfile' || a === '--outtype') opts[a.slice(2)] = args[++i];
    else if (a.startsWith('--')) { if (!['--vocab-only', '--bigendian', '--verbose', '--use-temp-file', '--no-lazy'].includes(a)) { err(`${usage}convert_hf_to_gguf.py: error: unrecognized arguments: ${a}\n`); process.exit(2); } }
    else pos.push(a);
  }
  if (pos.length !== 1) { err(`${usage}convert_hf_to_gguf.py: error: the following arguments are required: model\n`); process.exit(2); }
  const outtype = opts.outtype ?? 'f16';
  if (!['f32', 'f16', 'bf16', 'q8_0', 'tq1_0', 'tq2_0', 'auto'].includes(outtype)) {
    err(`${usage}convert_hf_to_gguf.py: error: argument --outtype: invalid choice: '${outtype}' (choose from 'f32', 'f16', 'bf16', 'q8_0', 'tq1_0', 'tq2_0', 'auto')\n`);
    process.exit(2);
  }
  const dir = resolve(pos[0]);
  if (!existsSync(dir)) { err(`ERROR:hf-to-gguf:Error: ${dir} is not a directory\n`); process.exit(1); }
  if (env.STANDIN_FAIL?.split(',').includes('convert_hf_to_gguf')) { err('Traceback (most recent call last):\n  File "convert_hf_to_gguf.py", line 6533, in main\nMemoryError\n'); process.exit(1); }
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const arch = config.architectures?.[0];
  if (arch !== 'LlamaForCausalLM') { err(`ERROR:hf-to-gguf:Model ${arch} is not supported\n`); process.exit(1); }
  const files = readdirSync(dir);
  if (!files.some((f) => f.endsWith('.safetensors') || /^pytorch_model.*\.bin$/.test(f))) {
    err(`Traceback (most recent call last):\nAssertionError: No model weights found in ${dir}\n`);
    process.exit(1);
  }
  if (!files.includes('tokenizer.json')) {
    err('Traceback (most recent call last):\n  File "convert_hf_to_gguf.py", in _set_vocab_gpt2\nFileNotFoundError: tokenizer.json (the Llama-3 BPE vocabulary) is missing\n');
    process.exit(1);
  }
  const ft = FTYPE[outtype === 'auto' ? (config.torch_dtype === 'bfloat16' ? 'bf16' : 'f16') : outtype];
  const out = resolve(opts.outfile ?? join(dir, `${config._name_or_path ?? 'model'}-${outtype.toUpperCase()}.gguf`));
  const heads = config.num_attention_heads;
  const meta = [
    ['general.architecture', 'string', 'llama'],
    ['general.name', 'string', 'Model'],
    ['general.file_type', 'u32', ft],
    ['llama.block_count', 'u32', config.num_hidden_layers],
    ['llama.context_length', 'u32', config.max_position_embeddings],
    ['llama.embedding_length', 'u32', config.hidden_size],
    ['llama.feed_forward_length', 'u32', config.intermediate_size ?? 14336],
    ['llama.attention.head_count', 'u32', heads],
    ['llama.attention.head_count_kv', 'u32', config.num_key_value_heads ?? heads],
    ['llama.rope.freq_base', 'f32', config.rope_theta ?? 10000],
    ['llama.rope.dimension_count', 'u32', config.hidden_size / heads],
    ['llama.vocab_size', 'u32', config.vocab_size],
    ['tokenizer.ggml.model', 'string', 'gpt2'],
    ['tokenizer.ggml.pre', 'string', 'llama-bpe'],
    ['tokenizer.ggml.tokens', 'array', ['<|begin_of_text|>', '<|end_of_text|>', '<|eot_id|>', 'a', 'b']],
    ['tokenizer.ggml.bos_token_id', 'u32', 128000],
    ['tokenizer.ggml.eos_token_id', 'u32', 128009],
    ['tokenizer.ggml.add_bos_token', 'bool', true],
  ];
  const tensors = [['token_embd.weight', 8], ['output_norm.weight', 8]];
  // LlamaModel.generate_extra_tensors: Llama-3.1's rope_type "llama3" becomes a rope_freqs tensor in the file.
  if (config.rope_scaling?.rope_type === 'llama3') tensors.push(['rope_freqs.weight', config.hidden_size / heads / 2]);
  err(`INFO:hf-to-gguf:Loading model: ${dir}\nINFO:hf-to-gguf:Model architecture: ${arch}\nINFO:gguf.gguf_writer:Writing the following files:\nINFO:gguf.gguf_writer:${out}\n`);
  writeFileSync(out, gguf(meta, tensors));
  err(`INFO:hf-to-gguf:Model successfully exported to ${out}\n`);
}

const QUANT_TYPES = ['Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'IQ2_XXS', 'IQ2_XS', 'IQ2_S', 'IQ2_M', 'IQ1_S', 'IQ1_M', 'TQ1_0', 'TQ2_0', 'Q2_K', 'Q2_K_S', 'IQ3_XXS', 'IQ3_S', 'IQ3_M', 'Q3_K', 'IQ3_XS', 'Q3_K_S', 'Q3_K_M', 'Q3_K_L', 'IQ4_NL', 'IQ4_XS', 'Q4_K', 'Q4_K_S', 'Q4_K_M', 'Q5_K', 'Q5_K_S', 'Q5_K_M', 'Q6_K', 'Q8_0', 'F16', 'BF16', 'F32', 'COPY'];
const NEEDS_IMATRIX = ['IQ2_XXS', 'IQ2_XS', 'IQ2_S', 'IQ1_S', 'IQ1_M', 'Q2_K_S'];

export function quantize(args) {
  record('llama-quantize', args);
  const flags = args.filter((a) => a.startsWith('--'));
  const pos = args.filter((a, i) => !a.startsWith('--') && !(args[i - 1] === '--imatrix'));
  const usage = `usage: llama-quantize [--help] [--allow-requantize] [--leave-output-tensor] [--pure] [--imatrix] model-f32.gguf [model-quant.gguf] type [nthreads]\n\nAllowed quantization types:\n${QUANT_TYPES.map((t) => `   ${t}`).join('\n')}\n`;
  if (pos.length < 2) { err(usage); process.exit(1); }
  const [input, output, type] = pos.length >= 3 ? pos : [pos[0], undefined, pos[1]];
  if (!QUANT_TYPES.includes(type)) { err(`main: invalid ftype '${type}'\n${usage}`); process.exit(1); }
  if (output && resolve(output) === resolve(input)) { err('main: error: input and output files are the same\n'); process.exit(1); }
  if (NEEDS_IMATRIX.includes(type) && !flags.includes('--imatrix')) {
    err('\n==========================================================================================================\nPlease do not use IQ1_S, IQ1_M, IQ2_S, IQ2_XXS, IQ2_XS or Q2_K_S quantization without an importance matrix\n==========================================================================================================\n');
    process.exit(1);
  }
  if (env.STANDIN_FAIL?.split(',').includes('llama-quantize')) { err('llama_model_quantize: failed to quantize: std::bad_alloc\n'); process.exit(1); }
  let data;
  try {
    data = readFileSync(input);
  } catch {
    err(`gguf_init_from_file: failed to open GGUF file '${input}'\nllama_model_quantize: failed to quantize: llama_model_loader: failed to load model from ${input}\n`);
    process.exit(1);
  }
  if (data.subarray(0, 4).toString() !== 'GGUF') {
    err(`gguf_init_from_file_impl: invalid magic characters '${data.subarray(0, 4).toString('latin1')}', expected 'GGUF'\nllama_model_quantize: failed to quantize: llama_model_loader: failed to load model from ${input}\n`);
    process.exit(1);
  }
  // general.file_type: the u32 right after its key and type tag.
  const key = Buffer.from('general.file_type');
  const at = data.indexOf(key);
  const valueAt = at + key.length + 4;
  const current = at >= 0 ? data.readUInt32LE(valueAt) : 0;
  if (![0, 1, 32].includes(current) && !flags.includes('--allow-requantize')) {
    err(`llama_model_quantize: failed to quantize: requantizing from type ${current} is disabled\n`);
    process.exit(1);
  }
  const copy = Buffer.from(data);
  if (at >= 0) copy.writeUInt32LE(FTYPE[type] ?? current, valueAt);
  const out = output ?? input.replace(/[^/]*\.gguf$/, `ggml-model-${type}.gguf`);
  err(`main: quantizing '${input}' to '${out}' as ${type}\nllama_model_quantize_impl: model size  = ${(data.length / 2 ** 20).toFixed(2)} MiB\n`);
  writeFileSync(out, copy);
  err('main: quantize time = 12.34 ms\n');
}
