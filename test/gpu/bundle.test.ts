/**
 * The GPU benchmark as a lent machine runs it (docs/gpu.md): scripts/gpu/pack.sh builds the bundle (here with
 * --fast compression), its run.sh unpacks it into /tmp, takes the carried Vulkan loader and runs the bundled
 * Node on the --tiny shapes; gpu.json must hold every field the report reads. Here the adapter is Mesa's
 * lavapipe (a CPU): skipped where WebGPU has no adapter, unless REGIONS_REQUIRE_WEBGPU=1 (CI). The first pack on a
 * machine downloads the two Vulkan .debs from Debian's archive into .cache/gpu-debs.
 *
 * The time guard is checked without WebGPU: with no budget left every measuring phase is skipped with a note.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probeWebgpu, WEBGPU_REQUIRED } from '../helpers/webgpu.js';


const ROOT = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'regions-gpu-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const webgpu = (await probeWebgpu()).available;

interface GpuJson {
  finished: string | null;
  running: string | null;
  host: { cores: number; onnxruntime: string };
  driver: { ok: boolean; output: string };
  vulkan: { nvidiaIcd: { path: string; exists: boolean }; icdFiles: string[]; loader: string };
  adapter: { device: string | null; driver: string | null };
  providers: Record<string, { ok: boolean; error: string | null; loaderLog?: string[] }>;
  correctness: Record<'logits' | 'loss' | 'grads', { maxRelative: number; limit: number; ok: boolean }> | null;
  throughput: {
    shape: string;
    parameters: number;
    results: { provider: string; kind: string; tokensPerSecond: number; runs: { seconds: number; transfers: { weightBytes: number; inputBytes: number; outputBytes: number } }[] }[];
  }[];
  notes: string[];
}

describe.runIf(webgpu || WEBGPU_REQUIRED)('the packed GPU benchmark, end to end on this machine’s WebGPU adapter', () => {
  // 13–20 s alone here; 173 s was seen beside a full CI run at low priority, past the 120 s default.
  it('packs, unpacks and writes gpu.json with the driver, the Vulkan ICDs, the adapter, correctness, rates and transfers', { timeout: 400_000 }, () => {
    const bundle = join(work, 'bundle');
    const pack = spawnSync(join(ROOT, 'scripts/gpu/pack.sh'), ['--out', bundle, '--fast'], { encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    expect(pack.stdout).toMatch(/GPU bundle: .* bytes/);

    const out = join(work, 'out');
    const run = spawnSync(join(bundle, 'run.sh'), ['--tiny'], {
      encoding: 'utf8',
      cwd: work,
      env: { ...process.env, OUT: out, REGIONS_GPU_LOADER: 'carried' },
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(readFileSync(join(out, 'bench.log'), 'utf8')).toContain('throughput (tokens/s');

    const r = JSON.parse(readFileSync(join(out, 'gpu.json'), 'utf8')) as GpuJson;
    expect(r.finished).not.toBeNull();
    expect(r.running).toBeNull();
    expect(r.host.onnxruntime).toBe('1.30.0');
    expect(typeof r.driver.ok).toBe('boolean');
    expect(r.vulkan.nvidiaIcd.path).toBe('/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json');
    expect(r.vulkan.loader).toMatch(/regions-gpu\..*libvulkan\.so\.1 \(LD_LIBRARY_PATH\)/); // the carried loader
    expect(r.adapter.device).toMatch(/\S/); // llvmpipe here
    expect(r.adapter.driver).toMatch(/libvulkan_.*\.so/);
    expect(r.providers.webgpu!.ok).toBe(true);
    expect(r.providers.webgpu!.loaderLog!.some((l) => l.includes('Using'))).toBe(true);
    expect(r.providers.cuda!.ok).toBe(false);
    expect(r.providers.cuda!.error).toMatch(/cuda/i);
    for (const a of Object.values(r.correctness!)) expect(a.ok, JSON.stringify(a)).toBe(true);

    expect(r.throughput.map((s) => s.shape)).toEqual(['tiny-qwen2', 'tiny-llama']);
    for (const s of r.throughput) {
      expect(s.results.map((x) => `${x.provider} ${x.kind}`)).toEqual(['webgpu forward', 'webgpu forward+backward', 'cpu forward', 'cpu forward+backward']);
      for (const x of s.results) expect(x.tokensPerSecond).toBeGreaterThan(0);
      // The first forward uploads every weight once (float32); later runs move the ids and the outputs only.
      const [first, ...later] = s.results[0]!.runs;
      expect(first!.transfers.weightBytes).toBe(4 * s.parameters);
      expect(later.length).toBeGreaterThan(0);
      for (const x of later) expect(x.transfers.weightBytes).toBe(0);
      for (const x of s.results.filter((x) => x.provider === 'cpu').flatMap((x) => x.runs)) expect(x.transfers.weightBytes + x.transfers.outputBytes).toBe(0);
    }
    expect(r.notes).toEqual([]);
  });
});

describe('the time guard', () => {
  it('skips every measuring phase, with a note, when the budget is spent', () => {
    const out = join(work, 'no-budget.json');
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/gpu/bench.ts'), '--tiny', '--providers', 'cpu', '--budget-s', '0', '--out', out], { encoding: 'utf8', cwd: ROOT });
    expect(run.status, run.stderr).toBe(0);
    const r = JSON.parse(readFileSync(out, 'utf8')) as GpuJson;
    expect(r.throughput.flatMap((s) => s.results)).toEqual([]);
    expect(r.notes).toEqual([
      expect.stringMatching(/^tiny-qwen2: generate weights .* skipped: -?\d+ s left/),
      expect.stringMatching(/^tiny-llama: generate weights .* skipped/),
    ]);
  });
});
