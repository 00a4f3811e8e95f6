import { sharedApiServer } from "../cluster/fixtures/api-server";
import { pythonProject, pythonSdkEnv, servePythonProgram } from "./fixtures/python-program";
import { describeServedProgram } from "./fixtures/served-program";

/**
 * examples/python-app, with the package's `pulumi_platform` SDK pip-installed into the project's virtualenv
 * next to the pinned Python SDK, served by the Python SDK's own language server.
 */
describeServedProgram("a Python program using the component package (examples/python-app)", {
  example: "python-app",
  requireSetup: () => void pythonSdkEnv(),
  project: (dir, schemaFile) => pythonProject("python-app", dir, schemaFile),
  serve: servePythonProgram,
  afterEngineStopped: (message) => message.startsWith("python inline source runtime error: resource monitor shut down\n"),
}, sharedApiServer);
