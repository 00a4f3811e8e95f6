import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parseAllDocuments } from "yaml";
import { containersOf, podTemplateOf } from "../policy/rules/kubernetes";
import { typeToken } from "./render-charts";
import { REPOSITORY_ROOT } from "./run-program";

/**
 * Every container image a stack runs, read from the plan's manifests (build/<stack>/manifests, chart objects
 * included), for the image scan of the pull-request workflow. Besides pod templates it reads the images
 * operators start pods from: Prometheus and Alertmanager (`spec.image`), the Prometheus operator's config
 * reloader (its `--prometheus-config-reloader` flag) and Envoy Gateway's proxies (an EnvoyProxy's container).
 *
 *   npm run --silent images -- --stack staging --stack production     one image a line, sorted, unique
 */

type KubeObject = Record<string, any>;

const IMAGE_FIELDS: Readonly<Record<string, (o: KubeObject) => unknown[]>> = {
  Prometheus: (o) => [o.spec?.image],
  Alertmanager: (o) => [o.spec?.image],
  ThanosRuler: (o) => [o.spec?.image],
  EnvoyProxy: (o) => [o.spec?.provider?.kubernetes?.envoyDeployment?.container?.image],
};

/** The images of a list of Kubernetes objects, sorted and unique. */
export function containerImages(objects: readonly KubeObject[]): string[] {
  const images = new Set<string>();
  const add = (image: unknown) => {
    if (typeof image === "string" && image !== "") images.add(image);
  };
  for (const o of objects) {
    if (typeof o.apiVersion !== "string" || typeof o.kind !== "string") continue;
    const template = podTemplateOf(typeToken(o.apiVersion, o.kind), o);
    if (template) {
      for (const { container } of containersOf(template.spec)) add(container.image);
      for (const container of (template.spec.ephemeralContainers as KubeObject[] | undefined) ?? []) add(container.image);
      for (const { container } of containersOf(template.spec)) {
        for (const arg of (container.args as unknown[] | undefined) ?? []) {
          const reloader = /^--prometheus-config-reloader=(.+)$/.exec(String(arg));
          if (reloader) add(reloader[1]);
        }
      }
    }
    for (const image of IMAGE_FIELDS[o.kind]?.(o) ?? []) add(image);
  }
  return [...images].sort();
}

/** Every Kubernetes object in a plan's manifests folder. */
export function manifestObjects(manifestsDir: string): KubeObject[] {
  if (!fs.existsSync(manifestsDir)) throw new Error(`${manifestsDir} does not exist: run \`npm run plan -- --stack <stack>\` first`);
  const objects: KubeObject[] = [];
  for (const namespace of fs.readdirSync(manifestsDir).sort()) {
    const dir = path.join(manifestsDir, namespace);
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()) {
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), "utf8"), { version: "1.1" })) {
        const o = doc.toJS() as unknown;
        if (o !== null && typeof o === "object") objects.push(o as KubeObject);
      }
    }
  }
  return objects;
}

if (require.main === module) {
  try {
    const { values } = parseArgs({ options: { stack: { type: "string", multiple: true } } });
    const stacks = values.stack ?? [];
    if (stacks.length === 0) throw new Error("usage: npm run images -- --stack <stack> [--stack <stack>...]");
    const images = new Set<string>();
    for (const stack of stacks) for (const image of containerImages(manifestObjects(path.join(REPOSITORY_ROOT, "build", stack, "manifests")))) images.add(image);
    process.stdout.write([...images].sort().join("\n") + "\n");
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    process.exit(1);
  }
}
