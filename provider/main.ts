// The `pulumi-resource-platform` plugin's entry: serves the library's components to Pulumi programs in other
// languages (YAML, Python, Go, .NET). The engine starts the plugin and reads the gRPC port it prints. The
// schema (`pulumi package get-schema`) is derived from the components' TypeScript source by Pulumi's
// analyzer, which reads provider/package.json (the entry: lib/component-package.ts) and provider/tsconfig.json.
import * as path from "node:path";
import { componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import { SERVED_COMPONENTS } from "../lib/component-package";
import { PACKAGE_ROOT, packageVersion } from "./package-root";

// Every public component; the package's token is platform:index:<Class>.
// `version` is read by the SDK (the schema's version) but missing from its option type in 3.270; without it,
// the schema would take the version of provider/package.json, a second place to keep in step.
const options = { name: "platform", version: packageVersion(), components: SERVED_COMPONENTS, dirname: path.join(PACKAGE_ROOT, "provider") };
componentProviderHost(options);
