import { buildPlatform } from "./components/platform";
import { loadConfig } from "./stacks/load";

const platform = buildPlatform(loadConfig());

export const namespaces = Object.keys(platform.namespaces);
