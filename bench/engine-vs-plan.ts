import { engineConfig, type StackName } from "../tests/harness";
import { ApiServer } from "../tests/cluster/fixtures/api-server";
import { chartCrds } from "../tests/cluster/fixtures/chart-crds";
import { crdsOfComposedKinds } from "../tests/engine/fixtures/cluster-state";
import { EngineStack, engineUnavailable } from "../tests/engine/fixtures/engine";
import { composeKubernetesPart, planKubernetesPart } from "../tests/engine/fixtures/kubernetes-part";

/**
 * The real engine's `pulumi preview` and the offline plan over the same Kubernetes part of a stack (the
 * composition of tests/engine/fixtures/kubernetes-part.ts), both in this one process, so neither pays for
 * starting Node or loading the SDKs: the engine's figure is the Automation API's preview of a new stack
 * (CLI, plugins, the inline program, server-side dry-runs against the test kube-apiserver), the plan's is
 * the same program under the mock runtime. One warm-up each, then `runs` timed runs each.
 * Usage (bench/run.ts): tsx bench/engine-vs-plan.ts <stack> <runs>; prints JSON.
 */

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main(stack: StackName, runs: number): Promise<void> {
  const unavailable = engineUnavailable();
  if (unavailable) {
    console.log(JSON.stringify({ skipped: unavailable }));
    return;
  }
  const config = engineConfig(stack);
  const part = await planKubernetesPart(stack, config);
  const planned = part.resources.length;
  const crds = await crdsOfComposedKinds(stack, config, part);
  const offline: number[] = [];
  for (let i = 0; i < runs; i++) offline.push(await seconds(() => planKubernetesPart(stack, config)));

  const server = await ApiServer.start();
  let engine: EngineStack | undefined;
  try {
    // As the engine test does: every pinned chart's crds/ folder, then what the composed custom resources need.
    await server.installCrds(chartCrds());
    await server.installCrds(crds);
    engine = await EngineStack.create(stack, async () => void composeKubernetesPart({ withoutKubelet: true }), server.kubeconfig);
    const warmUp = await engine.preview();
    const previewed = [...warmUp.ops.values()].filter((op) => op === "create").length;
    const preview: number[] = [];
    for (let i = 0; i < runs; i++) preview.push((await engine.preview()).seconds);
    console.log(JSON.stringify({ stack, planned, previewed, offline: median(offline), preview: median(preview) }));
  } finally {
    engine?.dispose();
    await server.stop();
  }
}

main(process.argv[2] as StackName, Number(process.argv[3] ?? 3)).then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  },
);
