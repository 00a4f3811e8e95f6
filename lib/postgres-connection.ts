import { z } from "zod";
import { DatabaseSchema, NamespaceSchema } from "../stacks/schema";
import type { SecretKeyRef, SslMode } from "./types";

/** How a job or exporter reaches a PostgreSQL database: the connection fields MonitoredDatabase and BackedUpDatabase share. */
export interface PostgresConnection {
  /** Name of the entry (a DNS label): names the objects made for the database and is the `database` label of their series. */
  name: string;
  /** Host name of the server. */
  host: string;
  /** Port of the server (1 to 65535). */
  port: number;
  /** Database to connect to (a lower-case PostgreSQL identifier). */
  database: string;
  /** Role to log in as (a lower-case PostgreSQL identifier): backups need pg_read_all_data, the exporter pg_monitor. */
  user: string;
  /** TLS to the server. */
  sslMode: SslMode;
  /** An existing Secret, in the namespace of the jobs or the exporter, and its key holding the role's password. */
  passwordSecret: SecretKeyRef;
}

const db = DatabaseSchema.shape;

/** A Secret key reference, checked as a stack file's existingSecret is. */
export const SecretKeyRefSchema = z.strictObject({ name: NamespaceSchema.shape.name, key: z.string().regex(/^[-._a-zA-Z0-9]+$/, { error: "must be a Secret key" }) });

/** PostgresConnection's fields, checked with the stack schema's database entry. */
export const postgresConnectionShape = {
  name: db.name,
  host: db.host,
  port: db.port,
  database: db.database,
  user: db.user,
  sslMode: db.sslMode,
  passwordSecret: SecretKeyRefSchema,
};
