/**
 * A fake /sys with GPUs laid out as the kernel lays them out (for the GPU reader's tests and
 * bench): the PCI device's folder under devices/ with its attributes and hwmon, drm/cardN
 * inside it with `device` pointing back, connectors inside the card, and class/drm/cardN a
 * symlink to the card.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { GpuReading } from '../../src/watchers/gpus';

/** Files of a folder; a null value makes a folder of that name (a file that cannot be read). */
function writeFiles(dir: string, files: Record<string, string | null>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    if (content === null) mkdirSync(path.join(dir, name));
    else writeFileSync(path.join(dir, name), `${content}\n`); // sysfs attributes end with a newline
  }
}

export function addCard(sysfs: string, card: string, pci: string, device: Record<string, string | null>, hwmon?: Record<string, string>, connectors: string[] = []): void {
  const deviceDir = path.join(sysfs, 'devices', 'pci0000:00', pci);
  writeFiles(deviceDir, device);
  if (hwmon) writeFiles(path.join(deviceDir, 'hwmon', 'hwmon2'), { name: 'amdgpu', ...hwmon });
  const cardDir = path.join(deviceDir, 'drm', card);
  mkdirSync(cardDir, { recursive: true });
  symlinkSync(`../../../${pci}`, path.join(cardDir, 'device'));
  const classDrm = path.join(sysfs, 'class', 'drm');
  mkdirSync(classDrm, { recursive: true });
  symlinkSync(path.relative(classDrm, cardDir), path.join(classDrm, card));
  for (const connector of connectors) {
    // A connector's `device` is its card, whose folder has no `vendor`: listing it as a card would double count.
    const dir = path.join(cardDir, `${card}-${connector}`);
    mkdirSync(dir);
    symlinkSync('..', path.join(dir, 'device'));
    symlinkSync(path.relative(classDrm, dir), path.join(classDrm, `${card}-${connector}`));
  }
}

const GiB = 2 ** 30;

/** Two AMD cards (numbered 1 and 10: numeric order), an Intel iGPU, an NVIDIA card, connectors, a render node. */
export function buildGpuHost(sysfs: string): void {
  addCard(sysfs, 'card0', '0000:00:02.0', { vendor: '0x8086', device: '0x4680' }, undefined, ['eDP-1']);
  addCard(
    sysfs,
    'card1',
    '0000:03:00.0',
    { vendor: '0x1002', device: '0x744c', product_name: '', gpu_busy_percent: '87', mem_info_vram_used: String(6 * GiB + 512 * 2 ** 20), mem_info_vram_total: String(24 * GiB) },
    { temp1_input: '52000', temp1_label: 'edge', temp2_input: '71500', temp2_label: 'junction', temp3_input: '64000', temp3_label: 'mem' },
    ['DP-1', 'HDMI-A-1'],
  );
  addCard(sysfs, 'card2', '0000:04:00.0', { vendor: '0x10de', device: '0x2484' }); // NVIDIA: nvidia-smi's, not sysfs's
  addCard(
    sysfs,
    'card10',
    '0000:83:00.0',
    // product_name from the FRU EEPROM; busy percent unreadable (a folder here; EIO on a card in reset)
    { vendor: '0x1002', device: '0x738c', product_name: 'AMD Instinct MI100', gpu_busy_percent: null, mem_info_vram_used: String(GiB), mem_info_vram_total: String(32 * GiB) },
    { temp1_input: '45000', temp1_label: 'edge' },
  );
  mkdirSync(path.join(sysfs, 'class', 'drm', 'renderD128'));
  writeFileSync(path.join(sysfs, 'class', 'drm', 'version'), 'drm 1.1.0 20060810\n');
}

/** What the GPU reader makes of buildGpuHost's cards. */
export const GPU_HOST_AMD_CARDS: GpuReading[] = [
  { index: 0, model: 'AMD GPU 1002:744c', utilizationPercent: 87, memoryUsedMb: 6656, memoryTotalMb: 24576, temperatureC: 71.5 },
  { index: 1, model: 'AMD Instinct MI100', utilizationPercent: null, memoryUsedMb: 1024, memoryTotalMb: 32768, temperatureC: 45 },
];
