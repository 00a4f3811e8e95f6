/**
 * Kubernetes resource quantities as numbers (CPU in cores, memory in bytes), the way the API server
 * compares them, and back into the units a stack file uses.
 */

const SUFFIX: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei))?$/;

/** The value of a quantity such as `250m`, `1.5`, `512Mi` or `4Gi`; throws on anything else. */
export function quantityValue(text: string | number): number {
  if (typeof text === "number") return text;
  const match = QUANTITY.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a Kubernetes quantity`);
  const [, number, exponent, suffix] = match;
  return exponent ? Number(`${number}${exponent}`) : Number(number) * SUFFIX[suffix ?? ""];
}

/** CPU cores as a stack file writes them: `250m`, `2`, `2.5`. */
export function formatCpu(cores: number): string {
  const millis = Math.round(cores * 1000);
  return millis < 1000 ? `${millis}m` : String(millis / 1000);
}

/** Bytes in the largest binary unit that keeps them readable: `512Mi`, `12Gi`, `1.5Gi`. */
export function formatMemory(bytes: number): string {
  for (const [unit, size] of [["Ti", 2 ** 40], ["Gi", 2 ** 30], ["Mi", 2 ** 20], ["Ki", 2 ** 10]] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(2))}${unit}`;
  }
  return String(bytes);
}

/** Prometheus' storage sizes (`retentionSize`): powers of two, so 1KB is 1024 B (Prometheus docs). */
export function prometheusSizeBytes(text: string): number | undefined {
  const match = /^(\d+)(B|KB|MB|GB|TB|PB|EB)$/.exec(text);
  if (!match) return undefined;
  const power = ["B", "KB", "MB", "GB", "TB", "PB", "EB"].indexOf(match[2]);
  return Number(match[1]) * 2 ** (10 * power);
}
