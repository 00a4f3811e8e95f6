import { sharedApiServer } from "../cluster/fixtures/api-server";
import { goProject, requireGoModules, serveGoProgram } from "./fixtures/go-program";
import { describeServedProgram } from "./fixtures/served-program";

/**
 * examples/go-app, with the package's Go SDK generated into sdks/platform (go.mod's replace directive), compiled
 * offline from the module cache and run by a stand-in for the Go language host.
 */
describeServedProgram("a Go program using the component package (examples/go-app)", {
  example: "go-app",
  requireSetup: () => requireGoModules("go-app"),
  project: (dir, schemaFile) => goProject("go-app", dir, schemaFile),
  serve: serveGoProgram,
  // pulumi.Run's report of the registrations the stopped engine no longer answered.
  afterEngineStopped: (message) => message === "an unhandled error occurred: program failed: \nwaiting for RPCs: rpc error: code = Unknown desc = resource monitor shut down",
}, sharedApiServer);
