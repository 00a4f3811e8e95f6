import * as fs from "node:fs";
import * as path from "node:path";
import { isMap, isSeq, parseDocument } from "yaml";

/**
 * A stack file with `apps` copies of Pulumi.<stack>.yaml's first app, for measuring what each app costs the
 * plan. The copies differ only in name and hostname, and the apps namespace's quota grows with them (the
 * config check refuses a namespace that cannot hold its apps), so the file goes through the normal config
 * path (`npm run plan -- --config <file>`) and passes every check as the committed stack does.
 */
export function writeSyntheticStack(root: string, stack: string, apps: number, file: string): void {
  const doc = parseDocument(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8"));
  const committed = doc.getIn(["config", "platform:apps"]);
  if (!isSeq(committed) || committed.items.length === 0) throw new Error(`Pulumi.${stack}.yaml has no platform:apps to copy`);
  const template = (committed.items[0] as { toJSON(): Record<string, unknown> }).toJSON();
  const domain = String(doc.getIn(["config", "platform:domain"]));
  const copies = Array.from({ length: apps }, (_, i) => (i === 0 ? template : { ...structuredClone(template), name: `${template.name}${i}`, hostname: `${template.name}${i}.${domain}` }));
  doc.setIn(["config", "platform:apps"], doc.createNode(copies));

  const namespaces = doc.getIn(["config", "platform:namespaces"]);
  if (!isSeq(namespaces)) throw new Error(`Pulumi.${stack}.yaml has no platform:namespaces`);
  const home = namespaces.items.find((item) => isMap(item) && item.get("name") === template.namespace);
  if (!isMap(home)) throw new Error(`Pulumi.${stack}.yaml declares no namespace ${String(template.namespace)} for its first app`);
  const quota = (home.get("quota", true) as { toJSON(): Record<string, string | number> }).toJSON();
  const scaled = Object.fromEntries(Object.entries(quota).map(([key, value]) => [key, key === "loadBalancers" || key === "persistentVolumeClaims" ? value : scale(value, apps)]));
  home.set("quota", doc.createNode(scaled));
  fs.writeFileSync(file, doc.toString());
}

const MAX_COUNT = 10000;

/** A Kubernetes quantity or count times n ("16" → "1600", "32Gi" → "3200Gi", 200 → 10000, the schema's most pods). */
function scale(value: string | number, n: number): string | number {
  if (typeof value === "number") return Math.min(value * n, MAX_COUNT);
  const match = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(value);
  if (!match) throw new Error(`cannot scale quantity ${value}`);
  return `${Number(match[1]) * n}${match[2]}`;
}

if (require.main === module) {
  const [stack, apps, file] = process.argv.slice(2);
  writeSyntheticStack(path.resolve(__dirname, ".."), stack, Number(apps), path.resolve(file));
}
