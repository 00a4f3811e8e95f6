import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { irreplaceable } from "../core/data-protection";
import { databasePasswordSecret } from "./credentials";

export interface DatabaseCredentialsArgs {
  /** Database entry name. */
  readonly database: string;
  readonly user: string;
  /** Namespaces that get a copy of the Secret (Secrets cannot be read across namespaces). */
  readonly namespaces: readonly string[];
  readonly environment: string;
}

/**
 * A generated password for a database role the platform owns, delivered as one Secret per namespace that
 * needs it. The password is the stack output `databasePasswords` (secret) so the DBA can set it on the role.
 */
export class DatabaseCredentials extends pulumi.ComponentResource {
  public readonly password: pulumi.Output<string>;

  constructor(name: string, args: DatabaseCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:databases:DatabaseCredentials", name, {}, opts);
    // A replaced password locks every job and exporter out until the DBA sets the new one on the role.
    const password = new random.RandomPassword(`${name}-password`, { length: 40, special: false }, { parent: this, ...irreplaceable(args.environment) });
    const ref = databasePasswordSecret({ name: args.database, password: "generated" });
    for (const namespace of args.namespaces) {
      new k8s.core.v1.Secret(
        `${name}-${namespace}`,
        {
          metadata: {
            name: ref.name,
            namespace,
            labels: { "app.kubernetes.io/part-of": "platform", "platform.io/environment": args.environment, "platform.io/database": args.database },
          },
          type: "Opaque",
          stringData: { username: args.user, [ref.key]: password.result },
        },
        { parent: this },
      );
    }
    this.password = password.result;
    // Where the jobs and exporters read the password; the password itself stays an output of the stack only.
    this.registerOutputs({ secret: ref.name, namespaces: [...args.namespaces] });
  }
}
