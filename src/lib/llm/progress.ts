/**
 * Load progress in one shape, whether it comes from our own download of the model files or from WebLLM's
 * initProgressCallback (`{progress, timeElapsed, text}`, where only the text says which phase it is in).
 */

export type LoadPhase = 'checking' | 'downloading' | 'importing' | 'library' | 'gpu' | 'ready';

export interface LoadProgress {
  phase: LoadPhase;
  /** 0..1 within the phase, when known. */
  fraction?: number;
  bytesDone?: number;
  bytesTotal?: number;
  /** The file being fetched, for the per-file line. */
  file?: string;
  etaSeconds?: number;
  elapsedSeconds?: number;
  /** WebLLM's own text, kept for the details line. */
  text?: string;
}

/** WebLLM's report shape (InitProgressReport). */
export interface WebLlmProgress {
  progress: number;
  timeElapsed: number;
  text: string;
}

/** Seconds left at a steady rate, or undefined until there is enough to go on. */
export function eta(fraction: number, elapsedSeconds: number): number | undefined {
  if (!(fraction > 0.005) || fraction >= 1 || !(elapsedSeconds >= 1)) return undefined;
  return Math.round((elapsedSeconds * (1 - fraction)) / fraction);
}

const MB = 2 ** 20;

/**
 * Reads WebLLM 0.2.86's progress text: "Fetching param cache[i/n]: 250MB fetched. 5% completed, 12 secs elapsed. …",
 * "Loading model from cache[i/n]: …", "Start to fetch params", "Finish loading on WebGPU - …".
 */
export function fromWebLlm(r: WebLlmProgress): LoadProgress {
  const text = r.text;
  const fraction = Number.isFinite(r.progress) ? Math.min(1, Math.max(0, r.progress)) : undefined;
  const mb = /(\d+)MB (?:fetched|loaded)/.exec(text);
  const base: LoadProgress = { phase: 'gpu', fraction, elapsedSeconds: r.timeElapsed, text };
  if (/^Finish loading/i.test(text)) return { ...base, phase: 'ready', fraction: 1 };
  if (/^Fetching param cache/i.test(text) || /^Start to fetch/i.test(text)) {
    return { ...base, phase: 'downloading', bytesDone: mb ? Number(mb[1]) * MB : undefined, etaSeconds: fraction !== undefined ? eta(fraction, r.timeElapsed) : undefined };
  }
  if (/^Loading model from cache/i.test(text)) {
    return { ...base, phase: 'gpu', bytesDone: mb ? Number(mb[1]) * MB : undefined, etaSeconds: fraction !== undefined ? eta(fraction, r.timeElapsed) : undefined };
  }
  return base;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GB`;
  if (bytes >= MB) return `${(bytes / MB).toFixed(bytes >= 100 * MB ? 0 : 1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  return `${h} h ${Math.round((seconds - h * 3600) / 60)} min`;
}

const PHASE_TEXT: Record<LoadPhase, string> = {
  checking: 'Checking the cache',
  downloading: 'Downloading the model',
  importing: 'Copying the model into this browser',
  library: 'Preparing the model library',
  gpu: 'Loading the model onto the GPU',
  ready: 'Model ready',
};

/** One line for the progress bar: phase, amount, percent, time left. */
export function formatLoadProgress(p: LoadProgress): string {
  const parts = [PHASE_TEXT[p.phase]];
  if (p.phase === 'ready') return parts[0];
  if (p.bytesDone !== undefined && p.bytesTotal) parts.push(`${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`);
  else if (p.bytesDone !== undefined && p.bytesDone > 0) parts.push(formatBytes(p.bytesDone));
  const fraction = p.fraction ?? (p.bytesDone !== undefined && p.bytesTotal ? p.bytesDone / p.bytesTotal : undefined);
  if (fraction !== undefined) parts.push(`${Math.floor(fraction * 100)}%`);
  let line = parts.join(', ');
  if (p.etaSeconds !== undefined) line += `, about ${formatDuration(p.etaSeconds)} left`;
  return line;
}
