/** Small timing helpers for benchmarks: figures, never assertions. */
export interface Measured {
  name: string;
  perOpMicros: number;
  opsPerSecond: number;
}

/** fn gets a sequence number that never repeats, warm-up included. */
export function measure(name: string, iterations: number, fn: (sequence: number) => void): Measured {
  const warmUp = Math.min(50, iterations);
  for (let i = 0; i < warmUp; i += 1) fn(i);
  const start = process.hrtime.bigint();
  for (let i = warmUp; i < warmUp + iterations; i += 1) fn(i);
  const elapsedNs = Number(process.hrtime.bigint() - start);
  const perOpMicros = elapsedNs / iterations / 1_000;
  return { name, perOpMicros, opsPerSecond: 1e6 / perOpMicros };
}

export function printComparison(title: string, subject: Measured, baseline: Measured): void {
  const ratio = subject.perOpMicros / baseline.perOpMicros;
  console.log(`\n${title}`);
  for (const m of [subject, baseline]) {
    console.log(`  ${m.name.padEnd(44)} ${m.perOpMicros.toFixed(2).padStart(10)} µs/op ${Math.round(m.opsPerSecond).toLocaleString('en-US').padStart(12)} op/s`);
  }
  console.log(`  ratio (barista / baseline): ${ratio.toFixed(2)}×`);
}

/** `measure` for asynchronous work: each call is awaited before the next starts. */
export async function measureAsync(name: string, iterations: number, fn: (sequence: number) => Promise<unknown>): Promise<Measured> {
  const warmUp = Math.min(5, iterations);
  for (let i = 0; i < warmUp; i += 1) await fn(i);
  const start = process.hrtime.bigint();
  for (let i = warmUp; i < warmUp + iterations; i += 1) await fn(i);
  const elapsedNs = Number(process.hrtime.bigint() - start);
  const perOpMicros = elapsedNs / iterations / 1_000;
  return { name, perOpMicros, opsPerSecond: 1e6 / perOpMicros };
}
