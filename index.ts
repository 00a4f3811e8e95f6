import * as pulumi from "@pulumi/pulumi";
// This program is one consumer of the library (lib/): the whole platform, built from the stack's configuration.
import { buildPlatform, deployabilityProblems, grafanaHost, loadConfig } from "./lib/program";

const config = loadConfig([deployabilityProblems]);
const platform = buildPlatform(config);

export const namespaces = Object.keys(platform.namespaces);
export const grafanaUrl = `https://${grafanaHost(config.domain)}`;
/** Where the database backups, Loki's chunks and Tempo's blocks live (production stores logs and traces on S3 only). */
export const backupBucket = platform.backups?.bucket.bucket.bucket;
/** The off-site copy of the backups in backupReplicaRegion (restore runbook, when the primary region is down). */
export const backupReplicaBucket = platform.backups?.bucket.replica?.bucket.bucket;
export const lokiBucket = platform.monitoring.loki.bucket?.bucket;
export const tempoBucket = platform.monitoring.tempo.bucket?.bucket;
/** Passwords the platform generated for database roles it owns; `pulumi stack output --show-secrets databasePasswords`. */
export const databasePasswords = pulumi.secret(platform.databasePasswords);
