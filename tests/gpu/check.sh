#!/usr/bin/env bash
# GPU check for the CPU/GPU llama.cpp engine (issue 16), for a machine with an NVIDIA GPU; under 5 minutes.
# It writes a synthetic GGUF with Llama-3-8B's block shape (4096 wide, 14336 FFN, 32 heads, 8 KV heads, F16) and as
# many of its 32 layers as the GPU's free memory allows, then labels a few reports with
#   radreportx label --engine llama-cpp --gpu cuda
# (node-llama-cpp's prebuilt CUDA binary, shipped in npm: nothing is compiled or downloaded) and prints load time,
# prefill and decode tokens/s. The weights are random: this measures speed, not labels.
#   tests/gpu/check.sh [OUT_DIR]        (run from the repository root after npm ci; OUT_DIR default: a temp dir)
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-$(mktemp -d)}"
mkdir -p "$out"

if ! command -v nvidia-smi >/dev/null; then
  echo "check.sh: nvidia-smi not found: this check needs an NVIDIA GPU and its driver." >&2
  exit 2
fi
nvidia-smi --query-gpu=name,memory.total,memory.free,driver_version --format=csv,noheader | tee "$out/gpu.txt"
free_mib=$(nvidia-smi --query-gpu=memory.free --format=csv,noheader,nounits | head -1 | tr -d ' ')
disk_mib=$(df -Pm "$out" | awk 'NR==2 {print $4}')
# One Llama-3-8B layer in F16 is ~423 MiB (436 with margin); keep 2 GiB of the GPU for the KV cache and buffers, and the file on disk.
layers=$(( (free_mib - 2048) / 436 ))
by_disk=$(( (disk_mib - 4096) / 436 ))
(( by_disk < layers )) && layers=$by_disk
(( layers > 32 )) && layers=32
if (( layers < 1 )); then
  echo "check.sh: not enough free GPU memory or disk for one 8B-sized layer (${free_mib} MiB GPU, ${disk_mib} MiB disk)." >&2
  exit 1
fi
echo "writing a synthetic GGUF: Llama-3-8B block shape, ${layers} of 32 layers, F16"
npx tsx tests/support/gguf/cli.ts "$out/llama3-8b-shape.gguf" --shape llama3-8b --layers "$layers"

{
  echo 'id,report'
  for i in 1 2 3 4 5 6 7 8; do
    echo "r$i,\"FINDINGS: Report $i. Moderate right pleural effusion. Heart size is enlarged. No pneumothorax. IMPRESSION: Effusion and cardiomegaly.\""
  done
} > "$out/reports.csv"

for answer in names evidence; do
  rm -f "$out/labels-$answer.jsonl"
  timeout 240 npx tsx training/cli.ts label --engine llama-cpp --gpu cuda --model "$out/llama3-8b-shape.gguf" \
    --answer "$answer" -i "$out/reports.csv" -t report --id-column id -o "$out/labels-$answer.jsonl" \
    --stats "$out/stats-$answer.json" --progress
  node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`RESULT answer=${process.argv[2]} layers=${process.argv[3]} backend=${s.backend} load_s=${s.loadSeconds.toFixed(2)} ` +
      `prefill_tok_s=${s.prefillTokensPerSecond.toFixed(0)} decode_tok_s=${s.decodeTokensPerSecond.toFixed(1)} rows=${s.rows} ` +
      `status=${JSON.stringify(s.status)} peak_rss_mb=${s.peakRssMb.toFixed(0)}`);
    if (s.backend !== "cuda") { console.error("check.sh: node-llama-cpp did not run on CUDA"); process.exit(1); }
  ' "$out/stats-$answer.json" "$answer" "$layers"
done
