// The `pulumi-resource-platform` plugin's entry: serves the library's components to Pulumi programs in other
// languages (YAML, Python, Go, .NET). The engine starts the plugin and reads the gRPC port it prints. The
// schema (`pulumi package get-schema`) is derived from the components' TypeScript source by Pulumi's
// analyzer, which reads provider/package.json (the entry: lib/component-package.ts) and provider/tsconfig.json,
// once per version of the package's sources (provider/analysis-cache.ts).
import * as path from "node:path";
import { main } from "@pulumi/pulumi/provider";
import { SERVED_COMPONENTS } from "../lib/component-package";
import { PACKAGE_ROOT, packageVersion } from "./package-root";
import { PlatformComponentProvider } from "./platform-component-provider";

// Every public component; the package's token is platform:index:<Class>. `version` is the schema's version;
// without it, the schema would take the version of provider/package.json, a second place to keep in step.
// What componentProviderHost does, with the platform's provider.
void main(
  new PlatformComponentProvider({ name: "platform", version: packageVersion(), components: SERVED_COMPONENTS, dirname: path.join(PACKAGE_ROOT, "provider") }),
  process.argv.slice(2),
);
