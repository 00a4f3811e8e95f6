/** Resource options for something that cannot be recreated. */
export interface IrreplaceableOptions {
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
}

/**
 * Options for what cannot be recreated: encryption keys, buckets holding backups or logs, namespaces holding
 * volumes, generated credentials. In production they are protected: a `pulumi destroy`, or a change that
 * would replace or delete one, fails until someone unprotects it on purpose (README). `outlivesStack` marks
 * cloud objects whose data must survive the stack itself (a bucket and the key that decrypts it): Pulumi
 * then forgets them on delete instead of deleting them, in every stack. Without that, a destroy schedules
 * the key's deletion while the non-empty bucket stays, and 30 days later every backup is unreadable.
 */
export function irreplaceable(environment: string, outlivesStack = false): IrreplaceableOptions {
  return { protect: environment === "production", retainOnDelete: outlivesStack };
}
