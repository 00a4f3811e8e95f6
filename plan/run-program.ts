import * as path from "node:path";
import { type RecordedResource, settle, useMockStack } from "./mocks";
import { renderChartObjects } from "./render-charts";
import { readStackConfig, type StackConfigFile } from "./stack-file";

/** Everything a stack would register, in a stable order: the one record the plan, diff and policy read. */
export interface PlanRecord {
  readonly project: string;
  readonly stack: string;
  readonly resources: readonly RecordedResource[];
  /** What the plan could not do at this ref (a --diff baseline without a chart archive). */
  readonly notes?: readonly string[];
}

export interface RunProgramOptions {
  /** Folder holding Pulumi.yaml and index.ts; defaults to this repository. */
  readonly projectDir?: string;
  /** Alternative stack file to plan instead of Pulumi.<stack>.yaml. */
  readonly stackFile?: string;
  /**
   * Configuration as the engine would pass it, instead of a stack file: what a test uses to hand the
   * program decrypted secret values, which the stack-file reader never produces.
   */
  readonly config?: StackConfigFile;
  /** Render every Helm chart into its objects (the default); false records releases only (the bench's baseline). */
  readonly renderCharts?: boolean;
  /** A --diff baseline: a release whose archive this ref lacks is recorded without objects, with a note. */
  readonly baseline?: boolean;
  /** Folder of cached chart renders; false renders every chart afresh. */
  readonly renderCache?: string | false;
}

export const REPOSITORY_ROOT = path.resolve(__dirname, "..");

/**
 * Runs the real program (index.ts) for a stack under the mock runtime and returns what it registered.
 * The entry module is evaluated afresh on every call, so one process can plan several stacks.
 */
export async function runProgram(stack: string, options: RunProgramOptions = {}): Promise<PlanRecord> {
  const projectDir = path.resolve(options.projectDir ?? REPOSITORY_ROOT);
  const config = options.config ?? readStackConfig(projectDir, stack, options.stackFile);
  useMockStack(stack, config.values, config.secretKeys, projectDir);
  const entry = require.resolve(path.join(projectDir, "index"));
  delete require.cache[entry];
  const record = await recordRegistrations(stack, () => require(entry));
  if (options.renderCharts === false) return record;
  const rendered = await renderChartObjects(stack, record.resources, {
    projectDir,
    missingArchive: options.baseline ? "skip" : "fail",
    cacheDir: options.renderCache,
  });
  return {
    ...record,
    resources: [...record.resources, ...rendered.objects].sort((a, b) => a.urn.localeCompare(b.urn)),
    ...(rendered.notes.length > 0 ? { notes: rendered.notes } : {}),
  };
}

/**
 * Runs `register` (code that creates resources) under the mock runtime already set up for `stack` and
 * returns what it registered, in URN order. Fails with the first error, whether `register` threw or a
 * registration failed later as a promise nobody awaits.
 */
export async function recordRegistrations(stack: string, register: () => void): Promise<PlanRecord> {
  const failures: unknown[] = [];
  const onRejection = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", onRejection);
  let resources;
  try {
    try {
      register();
    } catch (err) {
      failures.push(err);
    }
    // Even after a failure: registrations already started must land before the next run resets the recorder.
    resources = await settle();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("unhandledRejection", onRejection);
  }
  if (failures.length > 0) throw failures[0];
  return { project: "platform", stack, resources: [...resources].sort((a, b) => a.urn.localeCompare(b.urn)) };
}
