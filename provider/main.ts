// The `pulumi-resource-platform` plugin's entry: serves the library's components to Pulumi programs in other
// languages (YAML, Python, Go, .NET). The engine starts the plugin and reads the gRPC port it prints. The
// schema (`pulumi package get-schema`) is derived from the components' TypeScript source by Pulumi's
// analyzer, which reads provider/package.json (the entry: lib/component-package.ts) and provider/tsconfig.json.
import * as path from "node:path";
import { main } from "@pulumi/pulumi/provider";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { SERVED_COMPONENTS } from "../lib/component-package";
import { PACKAGE_ROOT, packageVersion } from "./package-root";

/**
 * The SDK's component provider, its schema asking the Go generator for every type's input types
 * (`generateExtraInputTypes`). Without it the Go SDK `pulumi package add` writes does not compile: the
 * generator (pkg/codegen/go at 3.274.1) makes the `…Args` type of a plain object only when it first meets it
 * in an input context, and a plain array of plain objects counts as one only after another plain object
 * argument of the same component, so AlertRules' slos and MonitoringStack's caches and databases name
 * ServiceSloArgs, MonitoredCacheArgs and PostgresConnectionArgs, which are never written.
 */
class PlatformComponentProvider extends ComponentProvider {
  override async getSchema(): Promise<string> {
    const schema = JSON.parse(await super.getSchema()) as { language: { go: Record<string, unknown> } };
    schema.language.go = { ...schema.language.go, generateExtraInputTypes: true };
    return JSON.stringify(schema);
  }
}

// Every public component; the package's token is platform:index:<Class>. `version` is the schema's version;
// without it, the schema would take the version of provider/package.json, a second place to keep in step.
// What componentProviderHost does, with the provider above.
void main(
  new PlatformComponentProvider({ name: "platform", version: packageVersion(), components: SERVED_COMPONENTS, dirname: path.join(PACKAGE_ROOT, "provider") }),
  process.argv.slice(2),
);
