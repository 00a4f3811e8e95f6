import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { readAnalysis, writeAnalysis } from "./analysis-cache";
import { PACKAGE_ROOT } from "./package-root";

/** What the SDK's ComponentProvider keeps of its analysis (provider/experimental/provider.js at 3.270). */
interface AnalysedProvider {
  cachedSchema?: string;
  componentDefinitions?: Record<string, unknown>;
}

/**
 * The SDK's component provider with two changes.
 * - The schema asks the Go generator for every type's input types (`generateExtraInputTypes`). Without it
 *   the Go SDK `pulumi package add` writes does not compile: the generator (pkg/codegen/go at 3.274.1) makes
 *   the `…Args` type of a plain object only when it first meets it in an input context, and a plain array of
 *   plain objects counts as one only after another plain object argument of the same component, so
 *   AlertRules' slos and MonitoringStack's caches and databases name ServiceSloArgs, MonitoredCacheArgs and
 *   PostgresConnectionArgs, which are never written.
 * - The analysis (schema and component definitions) comes from provider/analysis-cache.ts when the package
 *   is unchanged, instead of the SDK's analyzer at every start of the plugin.
 */
export class PlatformComponentProvider extends ComponentProvider {
  override async getSchema(): Promise<string> {
    const analysed = this as unknown as AnalysedProvider;
    if (analysed.cachedSchema !== undefined && analysed.componentDefinitions !== undefined) return analysed.cachedSchema;
    const cached = readAnalysis(PACKAGE_ROOT);
    if (cached) {
      analysed.cachedSchema = cached.schema;
      analysed.componentDefinitions = cached.components;
      return cached.schema;
    }
    const schema = JSON.parse(await super.getSchema()) as { language: { go: Record<string, unknown> } };
    schema.language.go = { ...schema.language.go, generateExtraInputTypes: true };
    const text = JSON.stringify(schema);
    if (analysed.componentDefinitions === undefined) throw new Error("the SDK's ComponentProvider no longer keeps componentDefinitions: update provider/platform-component-provider.ts");
    analysed.cachedSchema = text;
    writeAnalysis(PACKAGE_ROOT, { schema: text, components: analysed.componentDefinitions });
    return text;
  }
}
