import type { z } from "zod";
import { type ConfigProblem, issueProblems } from "../stacks/parse";

/** Every problem in one component's arguments, reported at once, before the component registers anything. */
export class ComponentArgsError extends Error {
  constructor(
    readonly component: string,
    readonly resourceName: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Invalid arguments of ${component} "${resourceName}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p.path}: ${p.reason}`).join("\n"),
    );
    this.name = "ComponentArgsError";
  }
}

/**
 * Parses `value` with one of the stack schemas' own pieces, so a component's caller reads the same key-path
 * messages a stack file's author does; `checks` add what the schema cannot see, and `argumentPath` turns a
 * path of the parsed value into the argument's own when the two differ. Throws ComponentArgsError.
 */
export function parseArgs<T extends z.ZodType>(
  component: string,
  resourceName: string,
  schema: T,
  value: unknown,
  checks: (parsed: z.output<T>) => ConfigProblem[] = () => [],
  argumentPath: (schemaPath: string) => string = (path) => path,
): z.output<T> {
  const result = schema.safeParse(value);
  const problems = result.success ? checks(result.data) : issueProblems(result.error.issues, value, `unknown argument (check the spelling; ${component}Args lists every argument)`);
  if (problems.length > 0) throw new ComponentArgsError(component, resourceName, problems.map((p) => ({ ...p, path: argumentPath(p.path) })));
  return result.data as z.output<T>;
}

/**
 * True when A and B accept exactly the same values. A public Args interface that reuses a stack schema piece
 * is declared `const _: SameShape<Interface, z.output<typeof Schema>> = true`, so neither can change alone.
 */
export type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
