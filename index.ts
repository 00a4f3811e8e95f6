import * as pulumi from "@pulumi/pulumi";
import { buildPlatform } from "./components/platform";
import { loadConfig } from "./stacks/load";

const platform = buildPlatform(loadConfig());

export const namespaces = Object.keys(platform.namespaces);
/** Passwords the platform generated for database roles it owns; `pulumi stack output --show-secrets databasePasswords`. */
export const databasePasswords = pulumi.secret(platform.databasePasswords);
